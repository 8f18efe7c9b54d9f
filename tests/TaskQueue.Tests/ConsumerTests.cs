using TaskQueue.Messages;
using TaskQueue.Serialization;
using System.Collections.Concurrent;
using TaskQueue.Consumer;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

public sealed class ConsumerTests
{
    [Fact]
    public async Task Every_enqueued_task_runs_and_stores_its_result()
    {
        var app = TestApps.Memory();
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 4));
        consumer.Start();
        var handles = Enumerable.Range(0, 200).Select(i => Add.With(app).Enqueue(i, i)).ToList();
        for (int i = 0; i < handles.Count; i++)
        {
            Assert.Equal(2 * i, await handles[i].GetAsync(timeout: TestApps.Wait));
        }
    }

    [Fact]
    public async Task A_scheduled_task_runs_when_the_storage_clock_reaches_its_eta()
    {
        var (app, time) = TestApps.WithFakeTime();
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();
        var key = Counters.NewKey();
        var r = Touch.With(app).Schedule(key, delay: TimeSpan.FromHours(1));
        time.Advance(TimeSpan.FromMinutes(59));
        await Task.Delay(100);
        Assert.Equal(0, Counters.Get(key));
        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.UntilAsync(() => Counters.Get(key) == 1, "the scheduled task to run");
        Assert.Empty(await app.ScheduledAsync());
        Assert.NotNull(r);
    }

    [Fact]
    public async Task A_failing_task_is_retried_until_it_succeeds()
    {
        var app = TestApps.Memory();
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();
        var key = Counters.NewKey();
        Assert.Equal(3, await FailTimes.With(app).Enqueue(key, 2).GetAsync(timeout: TestApps.Wait));
    }

    [Fact]
    public async Task Exhausted_retries_store_the_last_error()
    {
        var app = TestApps.Memory();
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();
        var key = Counters.NewKey();
        var r = FailTimes.With(app).Enqueue(key, 10);
        var e = await Assert.ThrowsAsync<TaskFailedException>(async () => await r.GetAsync(timeout: TestApps.Wait));
        Assert.Contains("attempt 3 fails", e.RemoteMessage);
        Assert.Equal(3, Counters.Get(key));
    }

    [Fact]
    public async Task A_retry_delay_puts_the_retry_in_the_schedule()
    {
        var (app, time) = TestApps.WithFakeTime();
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();
        var key = Counters.NewKey();
        FailWithSlowRetry.With(app).Enqueue(key);
        await Eventually.UntilAsync(async () => (await app.ScheduledAsync()).Count == 1, "the retry to be scheduled");
        var retry = Assert.Single(await app.ScheduledAsync());
        Assert.Equal(time.GetUtcNow().AddHours(1), retry.Eta);
        Assert.Equal(0, retry.Message.Retries);
        time.Advance(TimeSpan.FromHours(1));
        // The scheduler may have been between two sleeps when the clock jumped, and then sleeps from
        // the new time: the fake clock moves on a little with every look, as a real one would.
        await Eventually.UntilAsync(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            return Counters.Get(key) == 2;
        }, "the retry to run");
    }

    [Fact]
    public async Task A_task_revoked_as_a_whole_is_skipped_until_restored()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        Touch.With(app).Revoke();
        Assert.True(Touch.With(app).IsRevoked());
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();
        Touch.With(app).Enqueue(key);
        Touch.With(app).Enqueue(key);
        await Eventually.UntilAsync(async () => await app.Storage.QueueLengthAsync("default") == 0 && await app.Storage.InFlightCountAsync() == 0, "the queue to drain");
        Assert.Equal(0, Counters.Get(key));
        Assert.True(Touch.With(app).Restore());
        Assert.False(Touch.With(app).Restore());
        Touch.With(app).Enqueue(key);
        await Eventually.UntilAsync(() => Counters.Get(key) == 1, "the restored task to run");
    }

    [Fact]
    public async Task Revoke_once_on_a_task_skips_only_its_next_run()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        Touch.With(app).Revoke(revokeOnce: true);
        Touch.With(app).Enqueue(key);
        Touch.With(app).Enqueue(key);
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();
        await Eventually.UntilAsync(() => Counters.Get(key) == 1, "the second run");
        Assert.False(Touch.With(app).IsRevoked());
    }

    [Fact]
    public async Task Revoke_until_lasts_until_then()
    {
        var (app, time) = TestApps.WithFakeTime();
        var until = time.GetUtcNow().AddMinutes(10);
        Touch.With(app).Revoke(revokeUntil: until);
        Assert.True(Touch.With(app).IsRevoked());
        Assert.True(Touch.With(app).IsRevoked(at: until.AddMinutes(-1)));
        Assert.False(Touch.With(app).IsRevoked(at: until.AddMinutes(1)));
        var key = Counters.NewKey();
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();
        Touch.With(app).Enqueue(key);
        await Eventually.UntilAsync(async () => await app.Storage.InFlightCountAsync() == 0 && await app.Storage.QueueLengthAsync("default") == 0, "the revoked run to be skipped");
        Assert.Equal(0, Counters.Get(key));
        time.Advance(TimeSpan.FromMinutes(11));
        Assert.False(Touch.With(app).IsRevoked());
        Touch.With(app).Enqueue(key);
        await Eventually.UntilAsync(() => Counters.Get(key) == 1, "the run after the revocation ended");
    }

    [Fact]
    public async Task A_revoked_result_is_skipped_and_restore_says_so()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        var skipped = Touch.With(app).Enqueue(key);
        var restored = Touch.With(app).Enqueue(key);
        skipped.Revoke();
        restored.Revoke();
        Assert.True(restored.Restore());
        Assert.False(restored.Restore());
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();
        await Eventually.UntilAsync(() => Counters.Get(key) == 1, "the restored instance to run");
        await Eventually.UntilAsync(async () => await app.Storage.InFlightCountAsync() == 0, "the queue to settle");
        Assert.Equal(1, Counters.Get(key));
    }

    [Fact]
    public async Task Bad_messages_go_to_dead_letters_and_the_good_ones_around_them_run()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        Touch.With(app).Enqueue(key);
        await app.Storage.EnqueueAsync("default", new byte[] { 0xde, 0xad });
        await app.Storage.EnqueueAsync("default", Messages.MessageCodec.Encode(new Messages.TaskMessage { Id = TaskId.New(), Name = "No.Such.Task", Arguments = new byte[] { 0x90 } }));
        Touch.With(app).Enqueue(key);
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();
        await Eventually.UntilAsync(() => Counters.Get(key) == 2, "both good tasks to run");
        await Eventually.UntilAsync(async () => (await app.DeadLettersAsync()).Count == 2, "two dead letters");
        var reasons = (await app.DeadLettersAsync()).Select(d => d.Reason).ToList();
        Assert.Contains(reasons, r => r.StartsWith("malformed message"));
        Assert.Contains(reasons, r => r.Contains("No.Such.Task"));
    }

    [Fact]
    public async Task A_requeued_dead_letter_runs_once_its_task_exists()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        await app.Storage.DeadLetterAsync("default", Messages.MessageCodec.Encode(new Messages.TaskMessage
        {
            Id = TaskId.New(), Name = Touch.Name, Arguments = Serialization.PayloadBuffer.Encode(key, static (ref MessagePack.MessagePackWriter w, string k) => { w.WriteArrayHeader(1); w.Write(k); }),
        }), "was unknown then");
        var dead = Assert.Single(await app.DeadLettersAsync());
        Assert.True(await app.RequeueDeadLetterAsync(dead.Id));
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();
        await Eventually.UntilAsync(() => Counters.Get(key) == 1, "the requeued task to run");
    }

    [Fact]
    public async Task Stopping_lets_a_running_task_finish_and_store_its_result()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();
        var r = Slow.With(app).Enqueue(key, 500);
        await Eventually.UntilAsync(() => Counters.Get(key + ":start") == 1, "the slow task to start");
        await consumer.StopAsync();
        Assert.Equal(1, Counters.Get(key + ":end"));
        Assert.Equal(500, await r.GetAsync(blocking: false));
    }

    [Fact]
    public async Task A_stopped_consumer_takes_nothing_new_and_hands_back_what_it_did_not_start()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();
        Slow.With(app).Enqueue(key, 400);
        await Eventually.UntilAsync(() => Counters.Get(key + ":start") == 1, "the slow task to start");
        for (int i = 0; i < 5; i++) Touch.With(app).Enqueue(key);
        await consumer.StopAsync();
        Assert.Equal(0, await app.Storage.InFlightCountAsync());
        Assert.Equal(5 - Counters.Get(key), await app.Storage.QueueLengthAsync("default"));
    }

    [Fact]
    public async Task When_the_grace_period_ends_running_tasks_are_cancelled_and_handed_back()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();
        var r = Slow.With(app).Enqueue(key, 60_000);
        await Eventually.UntilAsync(() => Counters.Get(key + ":start") == 1, "the slow task to start");
        await consumer.StopAsync(grace: TimeSpan.FromMilliseconds(200)).WaitAsync(TestApps.Wait);
        Assert.Equal(0, Counters.Get(key + ":end"));
        Assert.Equal(r.Id, Assert.Single(await app.PendingAsync()).Id);
    }

    [Fact]
    public async Task Workers_take_from_their_queues_in_priority_order()
    {
        var app = TestApps.Memory();
        Renamed.With(app).Enqueue(1);
        Add.With(app).Enqueue(1, 1);
        var order = new ConcurrentQueue<string>();
        using var _ = app.Events.Subscribe(e => { if (e.Kind == TaskEventKind.Started) order.Enqueue(e.TaskName!); });
        var options = TestApps.FastOptions(workers: 1);
        options.Queues = ["other", "default"];
        await using var consumer = new TaskConsumer(app, options);
        consumer.Start();
        await Eventually.UntilAsync(() => order.Count == 2, "both tasks to start");
        Assert.Equal([Renamed.Name, Add.Name], order);
    }

    [Fact]
    public async Task Events_tell_the_story_of_a_run()
    {
        var app = TestApps.Memory();
        var events = new ConcurrentQueue<TaskEvent>();
        using var _ = app.Events.Subscribe(events.Enqueue);
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();
        var key = Counters.NewKey();
        var r = FailTimes.With(app).Enqueue(key, 1);
        await r.GetAsync(timeout: TestApps.Wait);
        await Eventually.UntilAsync(() => events.Any(e => e.Kind == TaskEventKind.Finished), "the finished event");
        var kinds = events.Where(e => e.TaskId == r.Id).Select(e => e.Kind).ToList();
        // huey's story: an error for every failure, the retry, the re-queue's own event, then the second run.
        Assert.Equal([TaskEventKind.Enqueued, TaskEventKind.Started, TaskEventKind.Error, TaskEventKind.Retrying, TaskEventKind.Enqueued,
            TaskEventKind.Started, TaskEventKind.Finished], kinds);
        Assert.Contains("attempt 1 fails", events.Single(e => e.Kind == TaskEventKind.Retrying).Error);
        Assert.True(events.Single(e => e.Kind == TaskEventKind.Error).WillRetry);
    }

    [Fact]
    public async Task A_failure_with_no_retry_left_says_so_and_a_delayed_retry_is_announced_as_scheduled()
    {
        var app = TestApps.Memory();
        var events = new ConcurrentQueue<TaskEvent>();
        using var _ = app.Events.Subscribe(events.Enqueue);
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();

        var slow = FailWithSlowRetry.With(app).Enqueue(Counters.NewKey());
        var boom = Boom.With(app).Enqueue("no retries");
        await Assert.ThrowsAsync<TaskFailedException>(async () => await boom.GetAsync(timeout: TestApps.Wait));
        await Eventually.UntilAsync(() => events.Any(e => e.TaskId == slow.Id && e.Kind == TaskEventKind.Scheduled), "the retry to be scheduled");

        var error = Assert.Single(events, e => e.TaskId == boom.Id && e.Kind == TaskEventKind.Error);
        Assert.False(error.WillRetry);
        Assert.True(Assert.Single(events, e => e.TaskId == slow.Id && e.Kind == TaskEventKind.Error).WillRetry);
    }

    [Fact]
    public async Task A_finished_handler_can_read_the_result_it_announces()
    {
        var app = TestApps.Memory();
        var read = new ConcurrentQueue<int?>();
        using var _ = app.Events.Subscribe(e =>
        {
            if (e.Kind != TaskEventKind.Finished) return;
            read.Enqueue(Add.With(app).Result(e.TaskId!).TryGet(out int value, preserve: true) ? value : null);
        });
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();

        var sum = Add.With(app).Enqueue(20, 22);
        Assert.Equal(42, await sum.GetAsync(timeout: TestApps.Wait, preserve: true));
        await Eventually.UntilAsync(() => !read.IsEmpty, "the finished event");

        Assert.Equal(42, Assert.Single(read));
    }

    [Fact]
    public async Task A_failed_result_says_how_many_retries_were_left()
    {
        var app = TestApps.Memory();
        var stored = ResultCodec.EncodeError(new TaskError("System.IO.IOException", "disk full", null, Add.Name) { RetriesLeft = 3 });
        await app.Storage.PutResultAsync("with-retries", stored, ttl: null);
        // An error stored before the count existed: [1, type, message, stack, task].
        var old = PayloadBuffer.Encode(0, static (ref MessagePack.MessagePackWriter w, int _) =>
        {
            w.WriteArrayHeader(5);
            w.Write(1);
            w.Write("System.Exception");
            w.Write("old");
            w.WriteNil();
            w.WriteNil();
        });
        await app.Storage.PutResultAsync("old", old, ttl: null);

        var e = await Assert.ThrowsAsync<TaskFailedException>(async () => await Add.With(app).Result("with-retries").GetAsync(blocking: false));
        var before = await Assert.ThrowsAsync<TaskFailedException>(async () => await Add.With(app).Result("old").GetAsync(blocking: false));

        Assert.Equal(3, e.RetriesLeft);
        Assert.Equal("disk full", e.RemoteMessage);
        Assert.Equal(0, before.RetriesLeft);
        Assert.Equal("old", before.RemoteMessage);
    }

    [Fact]
    public async Task Events_can_be_read_as_an_async_stream()
    {
        var app = TestApps.Memory();
        using var cts = new CancellationTokenSource(TestApps.Wait);
        var reader = Task.Run(async () =>
        {
            await foreach (var e in app.Events.ReadAllAsync(cancellationToken: cts.Token))
            {
                if (e.Kind == TaskEventKind.Enqueued) return e;
            }
            return null;
        });
        await Eventually.UntilAsync(() => app.Events.HasListeners, "the reader to subscribe");
        var r = Add.With(app).Enqueue(1, 1);
        Assert.Equal(r.Id, (await reader)!.TaskId);
    }

    [Fact]
    public void Invalid_options_are_rejected_with_the_option_named()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TaskConsumer(TestApps.Memory(), new ConsumerOptions { Workers = 0 }));
        Assert.Equal("Workers", e.ParamName);
        Assert.Throws<ArgumentException>(() => new TaskConsumer(TestApps.Memory(), new ConsumerOptions { Queues = [] }));
    }

    [Fact]
    public async Task A_stopping_consumer_keeps_its_heartbeat_while_its_tasks_use_the_grace_period()
    {
        // The task outlives the visibility timeout three times over while its consumer stops; another
        // consumer's reaper must not take it as abandoned and run it a second time.
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        var first = TestApps.FastOptions(workers: 1);
        first.VisibilityTimeout = TimeSpan.FromSeconds(1);
        first.ShutdownGrace = TimeSpan.FromSeconds(20);
        await using var stopping = new TaskConsumer(app, first);
        stopping.Start();
        var run = Slow.With(app).Enqueue(key, 3000);
        await Eventually.UntilAsync(() => Counters.Get(key + ":start") == 1, "the task to start");
        var second = TestApps.FastOptions(workers: 1);
        second.VisibilityTimeout = TimeSpan.FromSeconds(1);
        await using var survivor = new TaskConsumer(app, second);
        survivor.Start();

        await stopping.StopAsync();

        Assert.Equal(1, Counters.Get(key + ":end"));
        Assert.Equal(1, Counters.Get(key + ":start"));
        Assert.Equal(3000, await run.GetAsync(timeout: TestApps.Wait));
    }

    [Fact]
    public async Task One_long_task_holds_neither_the_rest_of_its_batch_nor_the_results_before_it()
    {
        // All seven messages go to one worker in one take; the second task hangs. The first one's
        // result must be stored, and the five after it run by the other worker, while it hangs.
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        var first = Add.With(app).Enqueue(2, 3);
        Slow.With(app).Enqueue(key, 60_000);
        for (int i = 0; i < 5; i++) Touch.With(app).Enqueue(key);
        var options = TestApps.FastOptions(workers: 2);
        options.BatchSize = 16;
        await using var consumer = new TaskConsumer(app, options);
        consumer.Start();

        await Eventually.UntilAsync(() => Counters.Get(key) == 5, "the five quick tasks to run while the slow one hangs");
        Assert.Equal(5, await first.GetAsync(timeout: TestApps.Wait));
        Assert.Equal(1, Counters.Get(key + ":start"));
        Assert.Equal(0, Counters.Get(key + ":end"));
        await consumer.StopAsync(grace: TimeSpan.Zero).WaitAsync(TestApps.Wait);
    }

    [Fact]
    public async Task A_task_deaf_to_its_token_is_left_behind_after_the_grace_and_its_message_handed_back()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();
        var run = Stubborn.With(app).Enqueue(key, 30_000);
        await Eventually.UntilAsync(() => Counters.Get(key + ":start") == 1, "the task to start");

        var stopped = System.Diagnostics.Stopwatch.StartNew();
        await consumer.StopAsync(grace: TimeSpan.FromMilliseconds(200)).WaitAsync(TestApps.Wait);

        Assert.InRange(stopped.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(1, consumer.AbandonedTasks);
        Assert.Equal(0, Counters.Get(key + ":end"));
        Assert.Equal(0, await app.Storage.InFlightCountAsync());
        Assert.Equal(run.Id, Assert.Single(await app.PendingAsync()).Id);
    }

    [Fact]
    public async Task Consumers_keep_dead_letters_within_the_apps_limit()
    {
        var app = new TaskApp(new TaskQueue.Storage.MemoryStorage()) { DeadLetterLimit = 2 };
        for (int i = 0; i < 5; i++) await app.Storage.DeadLetterAsync("default", new byte[] { (byte)i }, "test");
        var options = TestApps.FastOptions(workers: 1);
        options.VisibilityTimeout = TimeSpan.FromSeconds(1);
        await using var consumer = new TaskConsumer(app, options);
        consumer.Start();
        await Eventually.UntilAsync(async () => (await app.DeadLettersAsync()).Count == 2, "the oldest three dead letters to go");
        Assert.Equal([4, 3], (await app.DeadLettersAsync()).Select(d => (int)d.Body[0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskApp { DeadLetterLimit = -1 });
    }

    [Fact]
    public async Task Messages_a_take_recorded_under_the_consumer_but_no_worker_got_are_handed_back()
    {
        // A take whose reply was lost for good: its records sit under a live consumer, whose heartbeat
        // keeps every reaper away.
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        for (int i = 0; i < 3; i++) Touch.With(app).Enqueue(key);
        var options = TestApps.FastOptions(workers: 1);
        options.VisibilityTimeout = TimeSpan.FromSeconds(1);
        options.OrphanedTakeAge = TimeSpan.FromMilliseconds(300);
        var lost = await app.Storage.TakeAsync(["default"], options.ConsumerId, 16, TimeSpan.Zero);
        Assert.Equal(3, lost.Messages.Count);

        await using var consumer = new TaskConsumer(app, options);
        consumer.Start();

        await Eventually.UntilAsync(() => Counters.Get(key) == 3, "the three lost messages to be handed back and run");
        Assert.Equal(0, await app.Storage.InFlightCountAsync());
    }
}
