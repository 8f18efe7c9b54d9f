using System.Collections.Generic;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// The names taken in one generated method, so that its locals never clash with the user's parameter
/// names (a task parameter called <c>writer</c> or <c>item</c> is legal).
/// </summary>
internal sealed class NameScope
{
    private readonly HashSet<string> taken;

    public NameScope(IEnumerable<string> taken) => this.taken = new HashSet<string>(taken);

    public NameScope() => taken = new HashSet<string>();

    public bool IsTaken(string name) => taken.Contains(name);

    /// <summary>Takes <paramref name="name"/>, or <c>name1</c>, <c>name2</c>... when it is taken.</summary>
    public string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !taken.Add(candidate); i++)
        {
            candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return candidate;
    }
}
