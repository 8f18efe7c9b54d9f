namespace TaskQueue.Fuzzing;

// Every shape the generator encodes, as task arguments: scalars of each kind, enums of several widths,
// nullables, every collection interface, jagged arrays, records, classes with init-only, required and
// settable members, structs, record structs, constructor defaults, nested and recursive types.

public enum Tint : byte
{
    Red,
    Green,
    Blue,
}

public enum Level : long
{
    Low = -1,
    Mid,
    High = long.MaxValue,
}

public enum Mask : ushort
{
    None,
    Read = 1,
    Write = 2,
}

public sealed record AllScalars(
    bool Flag, sbyte Tiny, byte Octet, short Small, ushort Port, int Count, uint Big, long Long, ulong Huge, float Ratio,
    double Precise, char Letter, string Text, string? Note, decimal Amount, Guid Id, DateTime At, DateTimeOffset When,
    TimeSpan Span, byte[] Blob, byte[]? MaybeBlob, Tint Tint, Level Level, Mask Mask, int? Maybe, Tint? MaybeTint,
    Guid? MaybeId, DateTimeOffset? MaybeWhen);

public readonly record struct Spot(int X, int Y);

public readonly struct Pair
{
    public Pair(string left, double right)
    {
        Left = left;
        Right = right;
    }

    public string Left { get; }

    public double Right { get; }
}

public sealed record AllCollections(
    int[] Numbers, List<string> Names, IReadOnlyList<double> Values, IEnumerable<long> Longs, ICollection<char> Letters,
    IList<short> Shorts, IReadOnlyCollection<Guid> Ids, Dictionary<string, int> Counts, IReadOnlyDictionary<string, List<int>> Groups,
    IDictionary<string, Spot> Spots, int[][] Jagged, byte[][] Blobs, List<string?>? Maybe, List<Spot?> MaybeSpots,
    decimal[] Amounts, DateTimeOffset[] Times, Dictionary<string, Pair[]> Pairs);

public sealed record Customer(string Name, string? Email);

public sealed record Line(string Sku, int Quantity, decimal Price);

public sealed record Order(Guid Id, Customer Customer, List<Line> Lines, DateTimeOffset PlacedAt)
{
    public string? Note { get; init; }
}

public sealed class Settings
{
    public required string Region { get; init; }

    public int Limit { get; set; } = 10;

    public Tint? Theme { get; set; }
}

public sealed record WithDefaults(int A, string B = "b", Tint C = Tint.Green, double D = 0.5);

public sealed record Tree(string Name, List<Tree> Children);

public sealed record Chain(Chain? Next, int Value);

/// <summary>One task per shape; each returns its argument, so its result decoder is fuzzed as well.</summary>
public static class FuzzTasks
{
    [Task]
    public static AllScalars EchoScalars(AllScalars value) => value;

    [Task]
    public static AllCollections EchoCollections(AllCollections value) => value;

    [Task]
    public static Order EchoOrder(Order value) => value;

    [Task]
    public static Settings EchoSettings(Settings value) => value;

    [Task]
    public static WithDefaults EchoDefaults(WithDefaults value) => value;

    [Task]
    public static Tree EchoTree(Tree value) => value;

    [Task]
    public static Chain EchoChain(Chain value) => value;

    [Task]
    public static Spot? EchoSpot(Spot? value) => value;

    [Task]
    public static Dictionary<string, List<int>> EchoGroups(Dictionary<string, List<int>> value) => value;

    [Task]
    public static int[][] EchoJagged(int[][] value) => value;

    /// <summary>Several arguments, the last ones with defaults that a shorter payload takes.</summary>
    [Task]
    public static string Arguments(int a, string? b, Guid c, Tint d, Pair e, decimal f = 1.5m, List<int>? g = null, double h = 2.5)
        => FormattableString.Invariant($"{a}{b}{c}{d}{e.Left}{f}{g?.Count}{h}");
}
