using System.Collections.Concurrent;

namespace TaskQueue.Tests.Tasks;

/// <summary>Counters keyed per test, so tests running in parallel never share one.</summary>
public static class Counters
{
    private static readonly ConcurrentDictionary<string, int> Values = new();

    public static int Increment(string key) => Values.AddOrUpdate(key, 1, (_, n) => n + 1);

    public static int Get(string key) => Values.GetValueOrDefault(key);

    public static string NewKey() => Guid.NewGuid().ToString("N");
}

public static class TestTasks
{
    [Task]
    public static int Add(int a, int b) => a + b;

    [Task]
    public static string? Echo(string? text) => text;

    [Task]
    public static int Zero() => 0;

    [Task(Priority = 5)]
    public static string Urgent(string text) => text;

    [Task]
    public static void Touch(string key) => Counters.Increment(key);

    [Task(Retries = 2)]
    public static int FailTimes(string key, int failures)
    {
        int attempt = Counters.Increment(key);
        if (attempt <= failures) throw new InvalidOperationException($"attempt {attempt} fails");
        return attempt;
    }

    [Task(Retries = 1, RetryDelaySeconds = 3600)]
    public static void FailWithSlowRetry(string key)
    {
        Counters.Increment(key);
        throw new InvalidOperationException("fails, retry in an hour");
    }

    [Task]
    public static void Boom(string message) => throw new ArgumentException(message);

    [Task]
    public static async Task<int> Slow(string key, int milliseconds, CancellationToken cancellationToken)
    {
        Counters.Increment(key + ":start");
        await Task.Delay(milliseconds, cancellationToken);
        Counters.Increment(key + ":end");
        return milliseconds;
    }

    /// <summary>Like <see cref="Slow"/>, but deaf to its cancellation token.</summary>
    [Task]
    public static async Task<int> Stubborn(string key, int milliseconds)
    {
        Counters.Increment(key + ":start");
        await Task.Delay(milliseconds);
        Counters.Increment(key + ":end");
        return milliseconds;
    }

    [Task(Retries = 3, RetryDelaySeconds = 7)]
    public static string Context(TaskContext context) => $"{context.TaskId}|{context.TaskName}|{context.RetriesLeft}|{context.RetryDelay.TotalSeconds}";

    /// <summary>Counts its runs and keeps the userdata and recurring id each run saw.</summary>
    [Task]
    public static void Remember(string key, TaskContext context)
    {
        Counters.Increment(key);
        Seen[key] = (context.UserDataJson, context.RecurringId, context.UserData["n"]?.GetValue<int>());
    }

    public static readonly ConcurrentDictionary<string, (string? Json, string? RecurringId, int? N)> Seen = new();

    [Task(Name = "tests.renamed", Queue = "other")]
    public static int Renamed(int x) => x * 10;

    [Task]
    public static int Length(Link head)
    {
        int length = 0;
        for (var link = head; link is not null; link = link.Next) length++;
        return length;
    }
}

/// <summary>A recursive argument type: a hostile payload can nest it as deep as its bytes allow.</summary>
public sealed record Link(Link? Next, int Value);

/// <summary>A service the [FromServices] tasks use; each instance has its own id, so tests can tell scopes apart.</summary>
public sealed class Greeter : IDisposable
{
    public string Id { get; } = Guid.NewGuid().ToString("N");

    public bool Disposed { get; private set; }

    public string Greet(string name) => $"hello {name} from {Id}";

    public void Dispose() => Disposed = true;
}

public static class ServiceTasks
{
    public static readonly ConcurrentDictionary<string, Greeter> Used = new();

    [Task]
    public static string Welcome(string name, [FromServices] Greeter greeter, TaskContext context)
    {
        Used[name] = greeter;
        // The context's provider is the run's scope: the same scoped instance as the parameter.
        return ReferenceEquals(context.Services!.GetService(typeof(Greeter)), greeter) ? greeter.Greet(name) : "another scope";
    }

    [Task]
    public static int NeedsUnregistered(int x, [FromServices] IFormatProvider missing) => x;
}

public static class PeriodicTasks
{
    public static readonly ConcurrentDictionary<string, int> Runs = new();

    /// <summary>Never due on its own (February 30th); enqueued by hand in tests.</summary>
    [PeriodicTask("0 0 30 2 *")]
    public static int PeriodicAnswer(TaskContext context)
    {
        Runs[context.TaskId] = 42;
        return 42;
    }
}

/// <summary>Gates per test key: a <see cref="GatedTasks.Held"/> run says it started, then waits to be let go.</summary>
public static class Gates
{
    private static readonly ConcurrentDictionary<string, (TaskCompletionSource Entered, TaskCompletionSource Release)> All = new();

    private static (TaskCompletionSource Entered, TaskCompletionSource Release) Of(string key)
        => All.GetOrAdd(key, _ => (new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)));

    public static Task Entered(string key) => Of(key).Entered.Task;

    public static void Release(string key) => Of(key).Release.TrySetResult();

    internal static Task Hold(string key)
    {
        var gate = Of(key);
        gate.Entered.TrySetResult();
        return gate.Release.Task;
    }
}

public static class GatedTasks
{
    [Task]
    public static Task Held(string key) => Gates.Hold(key);
}
