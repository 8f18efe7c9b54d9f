using TaskQueue.Consumer;
using TaskQueue.Operations;
using TaskQueue.Storage;
using TaskQueue.Testing;
using TaskQueue.Tests.Tasks;

namespace TaskQueue.Tests;

public sealed class OperationsTests
{
    [Fact]
    public async Task Statistics_count_what_happened_per_task_and_queue_once_the_counts_are_flushed()
    {
        var app = TestApps.Memory();
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();
        var sums = await Add.With(app).EnqueueManyAsync([(1, 1), (2, 2), (3, 3)]);
        foreach (var s in sums) await s.GetAsync(timeout: TestApps.Wait);
        var boom = await Boom.With(app).EnqueueAsync("no");
        await Assert.ThrowsAsync<TaskFailedException>(async () => await boom.GetAsync(timeout: TestApps.Wait));
        // A success is counted once its result is stored, just after the reader could read it.
        TaskStatistics stats = null!;
        await Eventually.UntilAsync(async () =>
        {
            await app.Stats.FlushAsync();
            stats = await app.Operations.StatisticsAsync();
            return stats.Tasks.Any(r => r.Task == Add.Name && r.LastMinute.Succeeded == 3) && stats.Tasks.Any(r => r.Task == Boom.Name && r.LastMinute.Failed == 1);
        }, "the runs to be counted");
        var add = Assert.Single(stats.Tasks, r => r.Task == Add.Name);
        Assert.Equal((3L, 3L, 3L, 0L), (add.LastMinute.Enqueued, add.LastMinute.Started, add.LastMinute.Succeeded, add.LastMinute.Failed));
        Assert.Equal(add.LastMinute, add.LastHour);
        Assert.Equal(add.LastMinute, add.LastDay);
        var failed = Assert.Single(stats.Tasks, r => r.Task == Boom.Name);
        Assert.Equal((1L, 1L, 0L, 1L), (failed.LastHour.Enqueued, failed.LastHour.Started, failed.LastHour.Succeeded, failed.LastHour.Failed));
        var queue = Assert.Single(stats.Queues, r => r.Queue == TaskDescriptor.DefaultQueue);
        Assert.Null(queue.Task);
        Assert.True(queue.LastHour.Enqueued >= 4 && queue.LastHour.Succeeded >= 3);
        Assert.Equal(60, stats.LastHourByMinute.Count);
        Assert.True(stats.LastHourByMinute.Sum(p => p.Counts.Succeeded) >= 3);
    }

    [Fact]
    public async Task Counts_flush_to_storage_by_themselves_every_few_seconds()
    {
        var app = TestApps.Memory();
        await Add.With(app).EnqueueAsync(1, 2);
        await Eventually.UntilAsync(async () => (await app.Operations.StatisticsAsync()).Tasks.Any(r => r.Task == Add.Name && r.LastMinute.Enqueued == 1),
            "the enqueue to be counted in storage");
    }

    [Fact]
    public async Task Workers_describe_themselves_with_the_tasks_they_run_and_disappear_when_they_stop()
    {
        var app = TestApps.Memory();
        var options = TestApps.FastOptions(workers: 3);
        options.Queues = ["default", "other"];
        options.VisibilityTimeout = TimeSpan.FromSeconds(3);
        var consumer = new TaskConsumer(app, options);
        consumer.Start();
        await consumer.Ready.WaitAsync(TestApps.Wait);
        string key = Counters.NewKey();
        var held = await Held.With(app).EnqueueAsync(key);
        await Gates.Entered(key).WaitAsync(TestApps.Wait);

        // The description is written with the heartbeat (every second here).
        await Eventually.UntilAsync(async () => (await app.Operations.RunningAsync()).Any(r => r.Task.TaskId == held.Id), "the running task to be described");
        var worker = Assert.Single(await app.Operations.WorkersAsync());
        Assert.Equal((consumer.ConsumerId, Environment.ProcessId, Environment.MachineName, 3), (worker.ConsumerId, worker.ProcessId, worker.Host, worker.Workers));
        Assert.Equal(["default", "other"], worker.Queues);
        var running = Assert.Single(worker.Running);
        Assert.Equal((Held.Name, "default"), (running.TaskName, running.Queue));
        Assert.InRange(DateTimeOffset.UtcNow - running.StartedAt, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.False(string.IsNullOrEmpty(worker.Version));

        Gates.Release(key);
        await consumer.DisposeAsync();
        Assert.Empty(await app.Operations.WorkersAsync());
    }

    [Fact]
    public async Task Queues_show_their_depth_and_how_long_their_head_has_waited()
    {
        var (app, time) = TestApps.WithFakeTime();
        await Add.With(app).EnqueueAsync(1, 2);
        time.Advance(TimeSpan.FromMinutes(3));
        await Add.With(app).EnqueueAsync(3, 4);
        await Renamed.With(app).EnqueueAsync(5);

        var queues = await app.Operations.QueuesAsync();
        var main = Assert.Single(queues, q => q.Name == TaskDescriptor.DefaultQueue);
        Assert.Equal((2L, TimeSpan.FromMinutes(3)), (main.Depth, main.OldestWaiting));
        var other = Assert.Single(queues, q => q.Name == "other");
        Assert.Equal((1L, TimeSpan.Zero), (other.Depth, other.OldestWaiting));
    }

    [Fact]
    public async Task Periodic_tasks_are_listed_with_their_runs_and_can_be_paused_and_resumed_by_name_only()
    {
        var app = TestApps.Memory();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => app.Operations.PausePeriodicAsync("no.such.task").AsTask());
        Assert.Contains("no periodic task named 'no.such.task'", e.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => app.Operations.PausePeriodicAsync(Add.Name).AsTask()); // not periodic

        await app.Operations.PausePeriodicAsync(PeriodicAnswer.Name);
        var listed = Assert.Single(await app.Operations.PeriodicAsync(), p => p.Name == PeriodicAnswer.Name);
        Assert.True(listed.Paused);
        Assert.Equal("0 0 30 2 *", listed.Schedule);
        Assert.Null(listed.LastRun);
        Assert.Null(listed.NextRun); // February 30th never comes
        await app.Operations.ResumePeriodicAsync(PeriodicAnswer.Name);
        Assert.False(Assert.Single(await app.Operations.PeriodicAsync(), p => p.Name == PeriodicAnswer.Name).Paused);
    }
}
