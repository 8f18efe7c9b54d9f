using System.Collections.Generic;
using System.Linq;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// What the stub emitters derive from a <see cref="TaskSpec"/>: the payload parameters, the result
/// handle type, parameter lists, and how to name the stub's own members where a user parameter
/// could hide them.
/// </summary>
internal sealed class StubShape
{
    /// <summary>The member names of every stub class; a method with one of these names cannot have a stub (TQ0006).</summary>
    public static readonly string[] MemberNames =
    [
        "Name", "Descriptor", "With", "Bound", "Enqueue", "EnqueueAsync", "Schedule", "ScheduleAsync", "EnqueueManyAsync",
        "CallLocal", "Revoke", "RevokeAsync", "Restore", "RestoreAsync", "IsRevoked", "IsRevokedAsync", "Result",
        "ResultOf", "ResultsOf", "EncodeArguments", "DecodeArguments", "Invoke", "EncodeResult", "ReadResult",
        "RenderArguments", "S", "Step", "Map", "EncodeRestArguments",
    ];

    /// <summary>The members only a <c>[Task]</c> stub has (unless TQ0011 leaves them out).</summary>
    public static readonly string[] RecurringMemberNames = ["Recurring", "RunIterations", "RunIterationsAsync", "RunOnce", "RunOnceAsync"];

    /// <summary>The members only a <c>[PeriodicTask]</c> stub has.</summary>
    public static readonly string[] PeriodicMemberNames = ["Periodic", "NextRun"];

    /// <summary>Whether the stub of a <c>[Task]</c> or (<paramref name="periodic"/>) a <c>[PeriodicTask]</c> has a member called <paramref name="name"/>.</summary>
    public static bool HasMember(string name, bool periodic)
        => MemberNames.Contains(name) || (periodic ? PeriodicMemberNames : RecurringMemberNames).Contains(name);

    private static readonly HashSet<string> TupleReservedNames =
        ["Rest", "ToString", "GetHashCode", "Equals", "GetType", "CompareTo", "Deconstruct", "MemberwiseClone", "Finalize"];

    public StubShape(TaskSpec spec)
    {
        Spec = spec;
        Payload = spec.Parameters.Where(p => p.Role == ParameterRole.Payload).ToList();
        StubTypeName = "global::" + spec.StubFullName;
        ResultType = spec.Return.Value is { } value ? $"{Known.TaskResult}<{value.TypeName}>" : Known.TaskResult;
    }

    public TaskSpec Spec { get; }

    public IReadOnlyList<ParameterSpec> Payload { get; }

    /// <summary>The stub class, <c>global::</c>-qualified.</summary>
    public string StubTypeName { get; }

    /// <summary><c>TaskResult&lt;T&gt;</c>, or <c>TaskResult</c> for a task without a value.</summary>
    public string ResultType { get; }

    public bool HasValue => Spec.Return.Value is not null;

    /// <summary>The payload parameters as declared: <c>int num, string name = "x"</c>.</summary>
    public string PayloadDeclarations => PayloadParameters(withDefaults: true);

    public string PayloadParameters(bool withDefaults) => string.Join(", ", Payload.Select(p =>
        p.TypeName + " " + Identifiers.Escape(p.Name) + (withDefaults && p.DefaultValue is not null ? " = " + p.DefaultValue : "")));

    /// <summary>The payload parameters as arguments: <c>num, name</c>.</summary>
    public string PayloadArguments => string.Join(", ", Payload.Select(p => Identifiers.Escape(p.Name)));

    /// <summary>
    /// A stub member as code in a method that has the payload parameters in scope: qualified with the
    /// stub class when a parameter has the same name and would hide it.
    /// </summary>
    public string Member(string name) => Payload.Any(p => p.Name == name) ? StubTypeName + "." + name : name;

    /// <summary>The element type of <c>EnqueueManyAsync</c>: the one payload type, or a tuple of them.</summary>
    public string ManyElementType
    {
        get
        {
            if (Payload.Count == 1) return Payload[0].TypeName;
            bool named = Payload.Select((p, i) => TupleNameAllowed(p.Name, i)).All(ok => ok);
            return "(" + string.Join(", ", Payload.Select(p => named ? p.TypeName + " " + Identifiers.Escape(p.Name) : p.TypeName)) + ")";
        }
    }

    /// <summary>How <c>EnqueueManyAsync</c> reads argument <paramref name="index"/> from its element <paramref name="item"/>.</summary>
    public string ManyElementArgument(string item, int index)
    {
        if (Payload.Count == 1) return item;
        bool named = Payload.Select((p, i) => TupleNameAllowed(p.Name, i)).All(ok => ok);
        return item + "." + (named ? Identifiers.Escape(Payload[index].Name) : "Item" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Joins non-empty parameter or argument lists with commas.</summary>
    public static string Join(params string[] parts) => string.Join(", ", parts.Where(p => p.Length > 0));

    private static bool TupleNameAllowed(string name, int index)
    {
        if (TupleReservedNames.Contains(name)) return false;
        if (name.StartsWith("Item", System.StringComparison.Ordinal) && int.TryParse(name.Substring(4), out int n))
        {
            return n == index + 1;
        }
        return true;
    }
}
