using System.Collections.Concurrent;
using TaskQueue.Consumer;
using TaskQueue.Scheduling;
using TaskQueue.Storage;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>
/// What an application does with Redis, through the public API, on one storage: producing,
/// scheduling, a consumer running tasks with its scheduler, reaper, periodic ticker and recurring
/// runner, results, revocations, dead letters and inspection. The ACL and TLS tests run it, so that
/// any command a restricted user may not send, or any connection that cannot be made (the waiting
/// one included), fails a step that names itself.
/// </summary>
internal static class RedisRoundTrip
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static async Task RunAsync(RedisStorage storage)
    {
        var app = new TaskApp(storage)
        {
            // Periodic in this app only: other tests' consumers must not fire it.
            Tasks = TaskCatalog.Registered.WithPeriodic(Heartbeat.Descriptor, CronSchedule.Parse(RecurringTasks.EverySecond)),
        };
        var finished = new ConcurrentQueue<string>();
        var revoked = new ConcurrentQueue<string>();
        using var subscription = app.Events.Subscribe(e =>
        {
            if (e.Kind == TaskEventKind.Finished) finished.Enqueue(e.TaskName!);
            if (e.Kind == TaskEventKind.Revoked) revoked.Enqueue(e.TaskName!);
        });

        // Bytes that are no task message: the consumer dead-letters them.
        await storage.EnqueueAsync(TaskDescriptor.DefaultQueue, new byte[] { 1, 2, 3 });
        var scheduled = await Sum.With(app).ScheduleAsync(4, 5, delay: TimeSpan.FromSeconds(1));
        Assert.Single(await app.ScheduledAsync());

        await WaitingTakeIsWokenAsync(storage);

        await using var consumer = new TaskConsumer(app, new ConsumerOptions
        {
            Workers = 2,
            TakeWait = TimeSpan.FromMilliseconds(500),
            SchedulerInterval = TimeSpan.FromMilliseconds(20),
            RecurringInterval = TimeSpan.FromMilliseconds(100),
            ShutdownGrace = TimeSpan.FromSeconds(10),
        });
        consumer.Start();

        Assert.Equal(5, await (await Sum.With(app).EnqueueAsync(2, 3)).GetAsync(timeout: Wait));
        var many = await Sum.With(app).EnqueueManyAsync([(1, 1), (2, 2)]);
        var sums = await Task.WhenAll(many.Select(r => r.GetAsync(timeout: Wait).AsTask()));
        Assert.Equal([2, 4], sums);
        Assert.Equal(9, await scheduled.GetAsync(timeout: Wait));

        var failed = await Explode.With(app).EnqueueAsync(retries: 1, retryDelay: TimeSpan.FromMilliseconds(100));
        Assert.Equal("kaboom", (await Assert.ThrowsAsync<TaskFailedException>(() => failed.GetAsync(timeout: Wait).AsTask())).RemoteMessage);

        await Note.With(app).RevokeAsync(revokeOnce: true);
        Assert.True(await Note.With(app).IsRevokedAsync());
        await Note.With(app).EnqueueAsync("skipped");
        await Eventually.UntilAsync(() => revoked.Contains(Note.Name), "a revoked task to be skipped");
        Assert.False(await Note.With(app).IsRevokedAsync());
        var byId = await Note.With(app).ScheduleAsync("revoked by id", delay: TimeSpan.FromMinutes(1));
        await byId.RevokeAsync();
        Assert.True(await byId.RestoreAsync());

        var recurring = Note.With(app).Recurring("recurring", schedule: RecurringTasks.EverySecond, label: "notes", iterations: 2,
            allowOverlap: false, waitForSchedule: false);
        await recurring.SaveAsync();
        Assert.Equal(recurring.Id, (await app.Recurring.FindAsync("notes"))?.Id);
        await Eventually.UntilAsync(() => finished.Count(n => n == Note.Name) >= 2, "two recurring runs", Wait);
        Assert.Contains(await app.Recurring.ListAsync(), r => r.Id == recurring.Id);
        Assert.True(await app.Recurring.DisableAsync(recurring.Id));
        Assert.True(await app.Recurring.DeleteAsync(recurring.Id));

        await Eventually.UntilAsync(() => finished.Contains(Heartbeat.Name), "a periodic run", Wait);
        Assert.NotNull(await storage.GetPeriodicLastFiredAsync(Heartbeat.Name));

        var dead = await Eventually.ValueAsync(async () => (await app.DeadLettersAsync()).FirstOrDefault(), "the unreadable message to be dead-lettered");
        Assert.True(await app.RequeueDeadLetterAsync(dead.Id));
        var again = await Eventually.ValueAsync(async () => (await app.DeadLettersAsync()).FirstOrDefault(), "the requeued message to be dead-lettered again");
        Assert.True(await app.DeleteDeadLetterAsync(again.Id));

        await consumer.StopAsync();
        var left = await Note.With(app).EnqueueAsync("left in the queue");
        Assert.Single(await app.PendingAsync());
        await Sum.With(app).EnqueueAsync(1, 2);
        Assert.Equal(2, (await app.ResultsAsync()).Count); // the two recurring runs': every other result was read, or is never stored
        await storage.PutResultAsync(left.Id, new byte[] { 1 }, TimeSpan.FromMinutes(1));
        Assert.Contains(left.Id, (await storage.ResultsAsync(10)).Select(r => r.Key));
        var counts = await storage.CountAsync([TaskDescriptor.DefaultQueue]);
        Assert.Equal(2, counts.QueueLengths[0]);
        Assert.Equal(0, counts.InFlight);
        Assert.Equal(new ReapResult(0, 0), await storage.ReapAsync(5));
        await storage.FlushAsync();
        Assert.Equal(0, await storage.QueueLengthAsync(TaskDescriptor.DefaultQueue));
    }

    /// <summary>The least an application does: one task enqueued, run by a consumer, its result read; and one waiting take.</summary>
    public static async Task RunOneAsync(RedisStorage storage)
    {
        await WaitingTakeIsWokenAsync(storage);
        var app = new TaskApp(storage);
        await using var consumer = new TaskConsumer(app, new ConsumerOptions { Workers = 1, TakeWait = TimeSpan.FromMilliseconds(500) });
        consumer.Start();
        Assert.Equal(5, await (await Sum.With(app).EnqueueAsync(2, 3)).GetAsync(timeout: Wait));
        await consumer.StopAsync();
        await storage.FlushAsync();
    }

    /// <summary>
    /// A take that waits on an empty queue is woken by an enqueue through the waiting connection, a
    /// second one, made with the same credentials and TLS settings: without it the take would last
    /// until its deadline.
    /// </summary>
    private static async Task WaitingTakeIsWokenAsync(RedisStorage storage)
    {
        var take = storage.TakeAsync(["wake"], "probe", 1, TimeSpan.FromSeconds(15)).AsTask();
        await Eventually.UntilAsync(() => storage.WaitingTakes == 1, "a take to wait on Redis");
        await storage.EnqueueAsync("wake", new byte[] { 1, 2 });
        TakenBatch woken;
        try
        {
            woken = await take.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException("A waiting take was not woken within 5 s of an enqueue: the waiting connection did not connect (its credentials, or its TLS check?).", e);
        }
        await storage.CompleteAsync("probe", [Completion.Ack(Assert.Single(woken.Messages))]);
    }
}

/// <summary>The tasks of <see cref="RedisRoundTrip"/>.</summary>
public static class RoundTripTasks
{
    [Task]
    public static int Sum(int a, int b) => a + b;

    [Task]
    public static void Explode() => throw new InvalidOperationException("kaboom");

    [Task]
    public static string Note(string text) => text;

    /// <summary>Periodic only in the round trip's app (see <see cref="TaskCatalog.WithPeriodic"/>).</summary>
    [Task]
    public static void Heartbeat()
    {
    }
}
