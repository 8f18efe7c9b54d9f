using System.Collections.Concurrent;

namespace TaskQueue.Generator.Tests.Tasks;

/// <summary>Tasks of this test assembly: the generator runs on them in the real build, as for a user.</summary>
public static class SampleTasks
{
    public static readonly ConcurrentQueue<string> Remembered = new();

    [Task(Retries = 2, RetryDelaySeconds = 5)]
    public static string Echo(string text) => text;

    [Task]
    public static int Add(int a, int b = 10) => a + b;

    [Task]
    public static void Ping()
    {
    }

    [Task]
    public static void Remember(string item) => Remembered.Enqueue(item);

    [Task(Queue = "orders")]
    public static OrderSummary Summarize(Order order)
        => new(order.Id, order.Lines.Count, order.Lines.Sum(l => l.Quantity * l.Price), order.Note);

    [Task]
    public static int CountNodes(TreeNode root) => 1 + root.Children.Sum(CountNodes);

    [Task]
    public static TreeNode Mirror(TreeNode root) => root with { Children = [.. root.Children.Select(Mirror).Reverse()] };

    [Task]
    public static int ChainLength(LinkedNode head)
    {
        int length = 0;
        for (var node = head; node is not null; node = node.Next) length++;
        return length;
    }

    [Task]
    public static int CountKeys(Dictionary<string, int> counts) => counts.Count;

    [Task]
    public static int CountValues(long[] values) => values.Length;

    [Task]
    public static int CountNames(List<string> names) => names.Count;

    [Task]
    public static Bag EchoBag(Bag bag) => bag;

    [Task]
    public static Scalars EchoScalars(Scalars scalars) => scalars;

    [Task]
    public static Scalars ScalarArguments(
        Color color, Priority? urgency, int? limit, string? note, Guid? id, DateTimeOffset when, DateTime at, TimeSpan span,
        decimal amount, char letter, bool flag, float ratio, double precise, sbyte tiny, short small, ushort port, uint big,
        long @long, ulong huge, byte @byte)
        => new(color, urgency, limit, note, id, when, at, span, amount, letter, flag, ratio, precise, tiny, small, port, big, @long, huge, @byte);

    [Task]
    public static Dictionary<string, List<int>> Collections(
        int[] numbers, List<string> names, IReadOnlyList<double> values, IEnumerable<long> longs, ICollection<char> letters,
        IList<short> shorts, IReadOnlyCollection<Guid> ids, IDictionary<string, Point> points)
        => new()
        {
            ["numbers"] = [.. numbers],
            ["names"] = [names.Count],
            ["values"] = [(int)values.Sum()],
            ["longs"] = [.. longs.Select(l => (int)l)],
            ["letters"] = [.. letters.Select(c => (int)c)],
            ["shorts"] = [.. shorts.Select(s => (int)s)],
            ["ids"] = [ids.Count],
            ["points"] = [.. points.OrderBy(p => p.Key).Select(p => p.Value.X * 10 + p.Value.Y)],
        };

    [Task]
    public static Settings Configure(Settings settings, Point? origin)
        => new() { Region = settings.Region + "!", Limit = settings.Limit + (origin?.X ?? 0) };

    [Task]
    public static async Task<string> Describe(int value, TaskContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(1, cancellationToken);
        return $"{context.TaskName}:{value}:{context.RetriesLeft}";
    }

    [Task]
    public static async Task Fail(string message)
    {
        await Task.Yield();
        throw new InvalidOperationException(message);
    }

    [Task]
    public static ValueTask<string?> Maybe(bool give) => new(give ? "given" : null);

    [Task]
    public static ValueTask<Color?> Pick(Color? color) => new(color);

    [Task]
    public static void Grant(Access access, Wide wide, Nothing nothing, Access[] history)
    {
    }
}
