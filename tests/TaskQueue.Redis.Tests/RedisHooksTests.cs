using System.Collections.Concurrent;
using TaskQueue.Consumer;
using TaskQueue.Testing;
using Xunit;
using static TaskQueue.Redis.Tests.RedisHookTasks;

namespace TaskQueue.Redis.Tests;

/// <summary>Hooks around runs of a consumer on Redis, and in its workers.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisHooksTests(RedisServerFixture redis) : RedisStorageScope(redis)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    [Fact]
    public async Task A_consumer_runs_the_hooks_and_a_cancel_with_retry_goes_through_the_retry_on_redis()
    {
        await using var app = new TaskApp(Storage);
        var key = Guid.NewGuid().ToString("N");
        var cancels = 0;
        var outcomes = new ConcurrentQueue<string>();
        var workers = new ConcurrentQueue<int>();
        var stopped = 0;
        app.Hooks.PreExecute((context, _) =>
            Interlocked.Increment(ref cancels) == 1 ? throw new CancelExecutionException(retry: true, reason: "not yet") : ValueTask.CompletedTask);
        app.Hooks.PostExecute((context, outcome, _) =>
        {
            outcomes.Enqueue($"{context.RetriesLeft} {outcome.Status} {outcome.ValueJson}");
            return ValueTask.CompletedTask;
        });
        app.Hooks.OnStartup((worker, _) =>
        {
            workers.Enqueue(worker.Worker);
            return ValueTask.CompletedTask;
        });
        app.Hooks.OnShutdown((_, _) =>
        {
            Interlocked.Increment(ref stopped);
            return ValueTask.CompletedTask;
        });
        var events = new ConcurrentQueue<TaskEventKind>();
        var handle = await Triple.With(app).EnqueueAsync(key, 5);
        using var subscription = app.Events.Subscribe(e =>
        {
            if (e.TaskId == handle.Id) events.Enqueue(e.Kind);
        });
        await using (var consumer = new TaskConsumer(app, new ConsumerOptions { Workers = 2, TakeWait = TimeSpan.FromMilliseconds(200) }))
        {
            consumer.Start();
            Assert.Equal(15, await handle.GetAsync(timeout: Wait));
        }

        Assert.Equal(1, RunsOf(key));
        Assert.Equal(["1 Succeeded 15"], outcomes);
        Assert.Equal(TaskEventKind.Cancelled, events.First());
        Assert.Contains(TaskEventKind.Retrying, events);
        Assert.Equal([0, 1], workers.Order());
        Assert.Equal(2, stopped);
    }
}
