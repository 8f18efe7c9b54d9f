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

    [Fact]
    public async Task Pending_and_scheduled_messages_show_their_arguments_by_name_and_junk_shows_why_it_does_not_decode()
    {
        var (app, time) = TestApps.WithFakeTime();
        var sum = await Add.With(app).EnqueueAsync(2, 3);
        await app.Storage.EnqueueAsync(TaskDescriptor.DefaultQueue, new byte[] { 0xc1, 0x00 });
        var later = await Echo.With(app).ScheduleAsync("hi", delay: TimeSpan.FromMinutes(5));

        var pending = await app.Operations.PendingAsync();
        Assert.Equal(2, pending.Count);
        Assert.Equal((sum.Id, Add.Name, """{"a":2,"b":3}""", (string?)null), (pending[0].Id, pending[0].Task, pending[0].Arguments, pending[0].Error));
        Assert.Null(pending[1].Id);
        Assert.NotNull(pending[1].Error);
        Assert.StartsWith("{", pending[1].Arguments, StringComparison.Ordinal);

        var scheduled = Assert.Single(await app.Operations.ScheduledAsync());
        Assert.Equal((later.Id, """{"text":"hi"}""", time.GetUtcNow().AddMinutes(5)), (scheduled.Id, scheduled.Arguments, scheduled.Eta!.Value));
    }

    [Fact]
    public async Task Dead_letters_and_failures_are_readable_and_matching_dead_letters_go_back_together()
    {
        var app = TestApps.Memory();
        await Add.With(app).EnqueueAsync(1, 1);
        await Echo.With(app).EnqueueAsync("2");
        var bodies = await app.Storage.PendingAsync(TaskDescriptor.DefaultQueue, 10);
        await app.Storage.FlushAsync();
        await app.Storage.DeadLetterAsync("default", bodies[0], "first");
        await app.Storage.DeadLetterAsync("default", bodies[1], "second");
        await app.Storage.DeadLetterAsync("default", new byte[] { 1, 2, 3 }, "junk");
        var letters = await app.Operations.DeadLettersAsync();
        Assert.Equal(["junk", "second", "first"], letters.Select(l => l.Reason));
        Assert.Equal(Echo.Name, letters[1].Message.Task);
        Assert.Equal(letters[1], await app.Operations.DeadLetterAsync(letters[1].Id));
        Assert.Null(await app.Operations.DeadLetterAsync("404"));

        Assert.Equal(1, await app.Operations.RequeueDeadLettersAsync(l => l.Message.Task == Add.Name));
        Assert.Equal([Add.Name], (await app.Operations.PendingAsync()).Select(m => m.Task));
        Assert.Equal(2, (await app.Operations.DeadLettersAsync()).Count);

        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();
        var boom = await Boom.With(app).EnqueueAsync("it broke");
        await Assert.ThrowsAsync<TaskFailedException>(async () => await boom.GetAsync(timeout: TestApps.Wait, preserve: true));
        var failure = Assert.Single(await app.Operations.FailuresAsync());
        Assert.Equal((boom.Id, Boom.Name, "System.ArgumentException", "it broke", 0), (failure.TaskId, failure.Task, failure.Type, failure.Message, failure.RetriesLeft));
        Assert.Contains("Boom", failure.StackTrace);
    }

    [Fact]
    public async Task Run_now_makes_a_recurring_record_due_at_once_without_changing_its_schedule()
    {
        var (app, time) = TestApps.WithFakeTime();
        var record = app.Recurring.Create(Touch.Descriptor, new byte[] { 0x91, 0xa1, 0x6b }, "0 4 * * *");
        await record.SaveAsync();
        Assert.False(await app.Operations.RunRecurringNowAsync("no-such-id"));

        Assert.True(await app.Operations.RunRecurringNowAsync(record.Id));
        var due = await app.Storage.DueRecurringAsync(10);
        Assert.Equal(record.Id, Assert.Single(due.Entries).Id);
        Assert.Equal("0 4 * * *", (await app.Recurring.GetAsync(record.Id))!.Schedule);
    }
}
