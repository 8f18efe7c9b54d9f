using System.Reflection;
using TaskQueue.Consumer;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

public sealed class StorageFailureTests
{
    /// <summary>Forwards to a real storage, but the first revocation check fails as an outage would.</summary>
    public class FlakyRevocations : DispatchProxy
    {
        public ITaskStorage Inner { get; set; } = null!;
        public int Failures;

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(ITaskStorage.ConsumeRevocationAsync) && Interlocked.Increment(ref Failures) == 1)
            {
                return ValueTask.FromException<bool>(new IOException("storage unreachable"));
            }
            return method.Invoke(Inner, args);
        }
    }

    [Fact]
    public async Task A_storage_error_while_running_a_task_hands_it_back_and_the_worker_keeps_going()
    {
        var storage = DispatchProxy.Create<ITaskStorage, FlakyRevocations>();
        var flaky = (FlakyRevocations)(object)storage;
        flaky.Inner = new MemoryStorage();
        var app = new TaskApp(storage);
        var key = Counters.NewKey();
        await Touch.With(app).RevokeAsync(revokeUntil: DateTimeOffset.UtcNow.AddSeconds(-1));   // makes revocation checks happen
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();
        Touch.With(app).Enqueue(key);
        Touch.With(app).Enqueue(key);
        await Eventually.UntilAsync(() => Counters.Get(key) == 2, "both tasks to run, the first after being handed back");
        Assert.True(flaky.Failures >= 2);
    }
}
