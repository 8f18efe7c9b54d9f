using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue.Fuzzing;

/// <summary>A decoder under fuzz: its name, valid encodings to mutate, and the call that decodes.</summary>
public sealed record FuzzTarget(string Name, IReadOnlyList<byte[]> Seeds, Action<byte[]> Decode);

/// <summary>
/// What a worker and a client decode from bytes that storage hands them: the envelope, a stored result,
/// and the arguments and the result of each shape in <see cref="FuzzTasks"/>. Seeds are fixed values,
/// encoded by the generated code itself, so that a run reproduces from its seed alone.
/// </summary>
public static class FuzzTargets
{
    private const string ResultId = "fuzz";

    public static IReadOnlyList<FuzzTarget> Create()
    {
        var app = new TaskApp(new MemoryStorage());
        EnqueueSamples(app);
        var messages = Wait(app.PendingAsync(limit: 1000));
        var context = new TaskContext(ResultId, ResultId, 0, TimeSpan.Zero);
        var targets = new List<FuzzTarget>();
        var results = new List<byte[]>();
        foreach (var (task, readResult) in Tasks(app))
        {
            var seeds = messages.Where(m => m.Name == task.Name).Select(m => m.Arguments.ToArray()).ToList();
            // A null result (EchoSpot(null)) stores nothing: there is no value to read.
            var values = seeds.Select(s => Wait(task.Invoker(s, context, CancellationToken.None))).OfType<byte[]>().ToList();
            results.AddRange(values);
            targets.Add(new FuzzTarget("arguments of " + task.Name, seeds, bytes => Wait(task.Invoker(bytes, context, CancellationToken.None))));
            targets.Add(new FuzzTarget("result of " + task.Name, values, readResult));
        }
        targets.Add(new FuzzTarget("envelope", Envelopes(messages), bytes => MessageCodec.Decode(bytes)));
        targets.Add(new FuzzTarget("stored result", StoredResults(results), bytes => ResultCodec.Decode(bytes)));
        return targets;
    }

    /// <summary>Each task with the reader of its result: a client reading a stored value through <c>TaskResult&lt;T&gt;</c>.</summary>
    private static IEnumerable<(TaskDescriptor Task, Action<byte[]> ReadResult)> Tasks(TaskApp app)
    {
        yield return (EchoScalars.Descriptor, Reader(app, EchoScalars.With(app).Result(ResultId)));
        yield return (EchoCollections.Descriptor, Reader(app, EchoCollections.With(app).Result(ResultId)));
        yield return (EchoOrder.Descriptor, Reader(app, EchoOrder.With(app).Result(ResultId)));
        yield return (EchoSettings.Descriptor, Reader(app, EchoSettings.With(app).Result(ResultId)));
        yield return (EchoDefaults.Descriptor, Reader(app, EchoDefaults.With(app).Result(ResultId)));
        yield return (EchoTree.Descriptor, Reader(app, EchoTree.With(app).Result(ResultId)));
        yield return (EchoChain.Descriptor, Reader(app, EchoChain.With(app).Result(ResultId)));
        yield return (EchoSpot.Descriptor, Reader(app, EchoSpot.With(app).Result(ResultId)));
        yield return (EchoGroups.Descriptor, Reader(app, EchoGroups.With(app).Result(ResultId)));
        yield return (EchoJagged.Descriptor, Reader(app, EchoJagged.With(app).Result(ResultId)));
        yield return (Arguments.Descriptor, Reader(app, Arguments.With(app).Result(ResultId)));
    }

    private static Action<byte[]> Reader<T>(TaskApp app, TaskResult<T> result) => bytes =>
    {
        Wait(app.Storage.PutResultAsync(ResultId, ResultCodec.EncodeValue(bytes), ttl: null));
        Wait(result.TryGetAsync(preserve: true));
    };

    private static void EnqueueSamples(TaskApp app)
    {
        var id = new Guid("6f9619ff-8b86-d011-b42d-00cf4fc964ff");
        var when = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromMinutes(-330));
        var at = new DateTime(2023, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        EchoScalars.With(app).Enqueue(new AllScalars(
            true, -5, 200, -300, 8080, 42, 3_000_000_000, long.MinValue, ulong.MaxValue, 0.5f, Math.PI, 'é', "héllo ✓", null, 12345.6789m,
            id, at, when, TimeSpan.FromHours(-3), [1, 2, 3], null, Tint.Blue, Level.High, Mask.Read | Mask.Write, 7, Tint.Green, id, when));
        EchoScalars.With(app).Enqueue(new AllScalars(
            false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\0', "", null, 0m, Guid.Empty, default, default, TimeSpan.Zero, [], null,
            Tint.Red, Level.Low, Mask.None, null, null, null, null));
        EchoScalars.With(app).Enqueue(new AllScalars(
            true, sbyte.MinValue, byte.MaxValue, short.MinValue, ushort.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, ulong.MinValue,
            float.MaxValue, double.NegativeInfinity, char.MaxValue, new string('x', 300), "ñ", decimal.MaxValue, id, DateTime.MaxValue,
            DateTimeOffset.MaxValue, TimeSpan.MinValue, new byte[300], [9], (Tint)7, (Level)5, (Mask)3, int.MaxValue, (Tint)200, Guid.Empty,
            DateTimeOffset.MinValue));

        var numbers = Enumerable.Range(-20, 40).ToArray();
        EchoCollections.With(app).Enqueue(new AllCollections(
            [1, 2, 3], ["a", "b"], [0.5, 1.5], [7L, 8L], ['x'], [(short)-3], [id], new() { ["one"] = 1 },
            new Dictionary<string, List<int>> { ["g"] = [4, 5] }, new Dictionary<string, Spot> { ["p"] = new(1, 2) }, [[1], [2, 3], []],
            [[1], []], ["a", null], [new Spot(3, 4), null], [1.25m], [when], new() { ["pair"] = [new Pair("l", 1.0)] }));
        EchoCollections.With(app).Enqueue(new AllCollections(
            [], [], [], [], [], [], [], [], new Dictionary<string, List<int>>(), new Dictionary<string, Spot>(), [], [], null, [], [], [], []));
        EchoCollections.With(app).Enqueue(new AllCollections(
            numbers, [.. numbers.Select(n => "n" + n)], [.. numbers.Select(n => n / 3.0)], numbers.Select(n => (long)n * 1_000_000_007),
            [.. numbers.Select(n => (char)('a' + n + 20))], [.. numbers.Select(n => (short)(n * 100))], [.. numbers.Take(5).Select(_ => id)],
            numbers.ToDictionary(n => "k" + n), new Dictionary<string, List<int>> { ["all"] = [.. numbers], ["none"] = [] },
            numbers.Take(10).ToDictionary(n => "s" + n, n => new Spot(n, -n)), [.. numbers.Select(n => new[] { n, n })],
            [.. numbers.Take(10).Select(n => new[] { (byte)n })], [.. numbers.Select(n => n % 2 == 0 ? null : "m" + n)],
            [.. numbers.Select(n => n % 3 == 0 ? (Spot?)null : new Spot(n, n))], [.. numbers.Select(n => n / 7m)], [.. numbers.Take(5).Select(n => when.AddDays(n))],
            new() { ["many"] = [.. numbers.Take(10).Select(n => new Pair("p" + n, n))], ["none"] = [] }));

        EchoOrder.With(app).Enqueue(new Order(id, new Customer("Ada", "ada@example.com"), [new("bean", 3, 1.25m), new("pod", 1, 10m), new("", 0, -1m)], when)
        {
            Note = "fragile",
        });
        EchoOrder.With(app).Enqueue(new Order(Guid.Empty, new Customer("", null), [], default));
        EchoSettings.With(app).Enqueue(new Settings { Region = "eu", Limit = 3, Theme = Tint.Blue });
        EchoSettings.With(app).Enqueue(new Settings { Region = "" });
        EchoDefaults.With(app).Enqueue(new WithDefaults(1));
        EchoDefaults.With(app).Enqueue(new WithDefaults(2, "x", Tint.Blue, 9.5));
        EchoTree.With(app).Enqueue(new Tree("root", [new("a", [new("a1", []), new("a2", [new("a21", [])])]), new("b", [])]));
        EchoTree.With(app).Enqueue(new Tree("", []));
        EchoChain.With(app).Enqueue(new Chain(new Chain(new Chain(new Chain(null, 4), 3), 2), 1));
        EchoChain.With(app).Enqueue(new Chain(null, 0));
        EchoSpot.With(app).Enqueue(new Spot(1, -2));
        EchoSpot.With(app).Enqueue(null);
        EchoGroups.With(app).Enqueue(new Dictionary<string, List<int>> { ["a"] = [1, 2], ["b"] = [], ["c"] = [int.MaxValue] });
        EchoGroups.With(app).Enqueue([]);
        EchoJagged.With(app).Enqueue([[1], [2, 3], [], [int.MinValue]]);
        EchoJagged.With(app).Enqueue([]);
        Arguments.With(app).Enqueue(1, "b", id, Tint.Green, new Pair("l", 1.0));
        Arguments.With(app).Enqueue(-1, null, Guid.Empty, Tint.Red, new Pair("", double.NaN), 2.75m, [1, 2, 3], 0);
    }

    /// <summary>Envelopes with every optional field: ids as raw bytes and as text, times, userdata, recurring runs, trace context.</summary>
    private static List<byte[]> Envelopes(IReadOnlyList<TaskMessage> messages)
    {
        var time = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var envelopes = new List<byte[]>();
        foreach (var m in messages.Where((_, i) => i % 3 == 0))
        {
            var plain = new TaskMessage { Id = "0123456789abcdef0123456789abcdef", Name = m.Name, Arguments = m.Arguments };
            envelopes.Add(MessageCodec.Encode(plain));
            envelopes.Add(MessageCodec.Encode(plain with { Id = "custom-id", Retries = 3, RetryDelay = TimeSpan.FromSeconds(5), Eta = time, CreatedAt = time }));
            envelopes.Add(MessageCodec.Encode(plain with
            {
                UserData = """{"n":1,"tag":"x"}""", RecurringId = "rec-1", Exclusive = true, CreatedAt = time,
                TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", TraceState = "vendor=a",
            }));
            envelopes.Add(MessageCodec.Encode(plain with { TraceParent = "custom trace context" }));
        }
        return envelopes;
    }

    private static List<byte[]> StoredResults(List<byte[]> values)
    {
        var stored = values.Select(v => ResultCodec.EncodeValue(v)).ToList();
        stored.Add(ResultCodec.None.ToArray());
        stored.Add(ResultCodec.EncodeError(new TaskError("System.InvalidOperationException", "it broke", "at Task.Run()", "Shop.Tasks.Run") { RetriesLeft = 2 }));
        stored.Add(ResultCodec.EncodeError(new TaskError("", "", null, null)));
        return stored;
    }

    private static T Wait<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully) pending.AsTask().GetAwaiter().GetResult();
    }
}
