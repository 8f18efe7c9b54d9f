namespace TaskQueue.Generator.Tests.Tasks;

public enum Color : byte
{
    Red,
    Green,
    Blue,
}

/// <summary>Flags with a combined member and an alias: a value renders as the first member declared with it.</summary>
[Flags]
public enum Access
{
    None = 0,
    Read = 1,
    Write = 2,
    Both = Read | Write,
    All = 3,
}

public enum Wide : ulong
{
    Small = 1,
    @class = 2,
    Max = ulong.MaxValue,
}

public enum Nothing
{
}

public enum Priority
{
    Low = -1,
    Normal,
    High,
}

public sealed record Customer(string Name, string? Email);

public sealed record Line(string Sku, int Quantity, decimal Price);

public sealed record Order(Guid Id, Customer Customer, List<Line> Lines, DateTimeOffset PlacedAt)
{
    public string? Note { get; init; }
}

public sealed record OrderSummary(Guid Id, int Lines, decimal Total, string? Note);

public sealed record TreeNode(string Name, List<TreeNode> Children);

public sealed record LinkedNode(LinkedNode? Next, int Value);

public sealed class Settings
{
    public required string Region { get; init; }

    public int Limit { get; set; } = 10;

    public int Doubled => Limit * 2;
}

public readonly struct Point
{
    public Point(int x, int y)
    {
        X = x;
        Y = y;
    }

    public int X { get; }

    public int Y { get; }
}

public sealed record Bag(
    int[] Numbers,
    List<string> Names,
    IReadOnlyList<double> Values,
    Dictionary<string, int> Counts,
    IReadOnlyDictionary<string, List<int>> Groups,
    int[][] Jagged,
    byte[] Blob,
    List<string?>? Maybe);

public sealed record Scalars(
    Color Color, Priority? Priority, int? Limit, string? Note, Guid? Id, DateTimeOffset When, DateTime At, TimeSpan Span,
    decimal Amount, char Letter, bool Flag, float Ratio, double Precise, sbyte Tiny, short Small, ushort Port, uint Big,
    long Long, ulong Huge, byte Byte);
