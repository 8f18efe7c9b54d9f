using System.Reflection;
using Microsoft.Extensions.Logging;
using TaskQueue.Consumer;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

public sealed class StorageFailureTests
{
    /// <summary>Forwards to a real storage, but the first revocation read fails as an outage would.</summary>
    public class FlakyRevocations : DispatchProxy
    {
        public ITaskStorage Inner { get; set; } = null!;
        public int Calls;

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(ITaskStorage.ReadRevocationsAsync) && Interlocked.Increment(ref Calls) == 1)
            {
                return ValueTask.FromException<RevocationSet>(new IOException("storage unreachable"));
            }
            return method.Invoke(Inner, args);
        }
    }

    /// <summary>Forwards to a real storage, except while <see cref="Down"/>: then every call fails as an outage would.</summary>
    public class Outage : DispatchProxy
    {
        public ITaskStorage Inner { get; set; } = null!;
        public volatile bool Down;
        public int Failures;

        public static (ITaskStorage Storage, Outage Control) Over(ITaskStorage inner)
        {
            var storage = Create<ITaskStorage, Outage>();
            var control = (Outage)(object)storage;
            control.Inner = inner;
            return (storage, control);
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (Down)
            {
                Interlocked.Increment(ref Failures);
                throw new IOException("connection refused (a test outage)");
            }
            try
            {
                return method!.Invoke(Inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is { } inner)
            {
                throw inner;
            }
        }
    }

    [Fact]
    public async Task A_consumer_is_ready_only_once_storage_has_answered()
    {
        var (storage, outage) = Outage.Over(new MemoryStorage());
        outage.Down = true;
        var app = new TaskApp(storage);
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();
        await Eventually.UntilAsync(() => outage.Failures >= 3, "the consumer to try storage a few times");
        Assert.False(consumer.Ready.IsCompleted);
        Assert.Null(consumer.SinceLastHeartbeat);

        outage.Down = false;
        await consumer.Ready.WaitAsync(TestApps.Wait);
        Assert.NotNull(consumer.SinceLastHeartbeat);
    }

    [Fact]
    public async Task An_outage_is_one_warning_when_it_starts_and_one_line_when_it_ends()
    {
        var (storage, outage) = Outage.Over(new MemoryStorage());
        var logs = new RecordingLoggerProvider();
        using var factory = logs.CreateFactory();
        var app = new TaskApp(storage);
        var key = Counters.NewKey();
        var options = TestApps.FastOptions(workers: 4);
        options.VisibilityTimeout = TimeSpan.FromSeconds(1);   // heartbeats and reaps every 333 ms
        await using var consumer = new TaskConsumer(app, options, factory);
        consumer.Start();
        await consumer.Ready.WaitAsync(TestApps.Wait);

        outage.Down = true;
        await Eventually.UntilAsync(() => outage.Failures >= 40, "calls of four workers, the scheduler and the heartbeat to fail");
        outage.Down = false;
        Touch.With(app).Enqueue(key);
        await Eventually.UntilAsync(() => Counters.Get(key) == 1, "a task to run after the outage");
        await Eventually.UntilAsync(() => logs.Lines.Any(l => l.Message.StartsWith("Storage back", StringComparison.Ordinal)), "the recovery line");

        var lines = logs.Lines.Where(l => l.Level >= LogLevel.Information && l.Category == typeof(TaskConsumer).FullName).Select(l => l.Message).ToList();
        var warning = Assert.Single(lines, l => l.StartsWith("Storage failing", StringComparison.Ordinal));
        Assert.Contains("connection refused (a test outage)", warning);
        Assert.DoesNotContain("   at ", warning);   // no stack trace above Debug
        Assert.Single(lines, l => l.StartsWith("Storage back", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Error);
    }

    /// <summary>Forwards to a real storage, but every revocation check fails.</summary>
    public class BrokenRevocations : DispatchProxy
    {
        public ITaskStorage Inner { get; set; } = null!;
        public int Failures;

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name is nameof(ITaskStorage.ConsumeRevocationAsync) or nameof(ITaskStorage.ReadRevocationsAsync))
            {
                Interlocked.Increment(ref Failures);
                throw new IOException("WRONGTYPE (a test fault)");
            }
            return method.Invoke(Inner, args);
        }
    }

    [Fact]
    public async Task A_message_whose_runs_keep_failing_on_storage_is_paced_counted_and_dead_lettered()
    {
        var storage = DispatchProxy.Create<ITaskStorage, BrokenRevocations>();
        var broken = (BrokenRevocations)(object)storage;
        broken.Inner = new MemoryStorage();
        var app = new TaskApp(storage);
        var key = Counters.NewKey();
        await app.RevokeByIdAsync(TaskId.New());   // a revocation of another run makes revocation checks happen
        var options = TestApps.FastOptions(workers: 1);
        options.MaxRedeliveries = 2;
        await using var consumer = new TaskConsumer(app, options);
        consumer.Start();
        Touch.With(app).Enqueue(key);

        await Eventually.UntilAsync(async () => (await app.DeadLettersAsync()).Count == 1, "the message to reach dead letters");
        var dead = Assert.Single(await app.DeadLettersAsync());
        Assert.Contains("handed back 3 times", dead.Reason);
        Assert.Equal(3, broken.Failures);   // three runs cut short, not thousands
        Assert.Equal(0, Counters.Get(key));
    }

    [Fact]
    public async Task A_storage_error_while_running_a_task_hands_it_back_and_the_worker_keeps_going()
    {
        var storage = DispatchProxy.Create<ITaskStorage, FlakyRevocations>();
        var flaky = (FlakyRevocations)(object)storage;
        flaky.Inner = new MemoryStorage();
        var app = new TaskApp(storage);
        var key = Counters.NewKey();
        await app.RevokeByIdAsync(TaskId.New());   // a revocation of another run makes revocation checks happen
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();
        Touch.With(app).Enqueue(key);
        Touch.With(app).Enqueue(key);
        await Eventually.UntilAsync(() => Counters.Get(key) == 2, "both tasks to run, the first after being handed back");
        Assert.True(flaky.Calls >= 2, $"{flaky.Calls} revocation reads");
    }
}
