using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TaskQueue.Consumer;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

public sealed class HooksTests
{
    [Fact]
    public async Task Pre_and_post_execute_hooks_run_around_the_task_with_its_context_and_outcome()
    {
        var app = TestApps.Memory();
        var seen = new ConcurrentQueue<string>();
        app.Hooks.PreExecute((context, _) =>
        {
            seen.Enqueue($"pre {context.TaskName} {context.TaskId} {context.RetriesLeft}");
            return ValueTask.CompletedTask;
        });
        app.Hooks.PostExecute((context, outcome, _) =>
        {
            seen.Enqueue($"post {context.TaskId} {outcome.Status} {outcome.ValueJson} {outcome.Error is null}");
            return ValueTask.CompletedTask;
        });
        using var events = app.Events.Subscribe(e =>
        {
            if (e.Kind == TaskEventKind.Started) seen.Enqueue("started");
        });
        var parcel = Pack.With(app).Enqueue("beans", 3);

        var run = await new TaskRunner(app).RunNextAsync();

        Assert.Equal(TaskEventKind.Finished, run!.Outcome);
        Assert.Equal([$"pre {Pack.Name} {parcel.Id} 0", "started", $"post {parcel.Id} Succeeded [\"beans\",3] True"], seen);
    }

    [Fact]
    public async Task A_pre_execute_hook_that_cancels_without_retry_ends_the_run_cancelled_before_it_starts()
    {
        var app = TestApps.Memory();
        app.Hooks.PreExecute((_, _) => throw new CancelExecutionException(reason: "closed for the night"));
        var posts = 0;
        app.Hooks.PostExecute((_, _, _) =>
        {
            Interlocked.Increment(ref posts);
            return ValueTask.CompletedTask;
        });
        var key = Counters.NewKey();
        var handle = Counted.With(app).Enqueue(key);

        var run = await new TaskRunner(app).RunNextAsync();

        Assert.Equal(TaskEventKind.Cancelled, run!.Outcome);
        Assert.False(run.WillRetry);
        Assert.DoesNotContain(run.Events, e => e.Kind is TaskEventKind.Started or TaskEventKind.Error or TaskEventKind.Retrying);
        Assert.Equal("closed for the night", Assert.Single(run.Events, e => e.Kind == TaskEventKind.Cancelled).Error);
        Assert.Equal(0, Counters.Get(key));
        Assert.Equal(0, posts);
        Assert.Equal(0, await app.Storage.QueueLengthAsync(TaskDescriptor.DefaultQueue));
        var error = await Assert.ThrowsAsync<TaskFailedException>(async () => await handle.GetAsync(blocking: false));
        Assert.Equal("TaskQueue.CancelExecutionException", error.RemoteType);
        Assert.Equal("closed for the night", error.RemoteMessage);
        Assert.Equal(3, error.RetriesLeft);
    }

    [Fact]
    public async Task A_pre_execute_hook_that_cancels_with_retry_takes_the_retry_path_while_retries_remain()
    {
        var app = TestApps.Memory();
        app.Hooks.PreExecute((_, _) => throw new CancelExecutionException(retry: true));
        var key = Counters.NewKey();
        var handle = Counted.With(app).Enqueue(key);

        var runs = await new TaskRunner(app).RunAllAsync();

        Assert.Equal(4, runs.Count);
        Assert.All(runs, r => Assert.Equal(TaskEventKind.Cancelled, r.Outcome));
        Assert.Equal([true, true, true, false], runs.Select(r => r.WillRetry));
        Assert.All(runs.Take(3), r => Assert.Contains(r.Events, e => e.Kind == TaskEventKind.Retrying));
        Assert.Equal(0, Counters.Get(key));
        var error = await Assert.ThrowsAsync<TaskFailedException>(async () => await handle.GetAsync(blocking: false));
        Assert.Equal(0, error.RetriesLeft);
    }

    [Fact]
    public async Task A_pre_execute_hook_that_throws_anything_else_is_logged_and_the_run_goes_on()
    {
        var logs = new RecordingLoggerProvider();
        using var factory = logs.CreateFactory();
        var app = TestApps.Memory();
        app.Hooks.PreExecute((_, _) => throw new InvalidOperationException("hook broke"), name: "audit");
        var ran = 0;
        app.Hooks.PreExecute((_, _) =>
        {
            Interlocked.Increment(ref ran);
            return ValueTask.CompletedTask;
        });
        var sum = Add.With(app).Enqueue(2, 3);

        var run = await new TaskRunner(app, factory).RunNextAsync();

        Assert.Equal(TaskEventKind.Finished, run!.Outcome);
        Assert.Equal(5, await sum.GetAsync(blocking: false));
        Assert.Equal(1, ran);
        var line = Assert.Single(logs.Lines, l => l.Message.Contains("hook broke", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.StartsWith($"The pre-execute hook audit failed for task {Add.Name} ({sum.Id}); the run goes on", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_execute_hook_sees_the_failure_and_its_own_exception_changes_nothing()
    {
        var app = TestApps.Memory();
        TaskRunOutcome? seen = null;
        app.Hooks.PostExecute((_, _, _) => throw new InvalidOperationException("post broke"));
        app.Hooks.PostExecute((_, outcome, _) =>
        {
            seen = outcome;
            return ValueTask.CompletedTask;
        });
        var handle = Boom.With(app).Enqueue("kaboom");

        var run = await new TaskRunner(app).RunNextAsync();

        Assert.Equal(TaskEventKind.Error, run!.Outcome);
        Assert.Equal(TaskRunStatus.Failed, seen!.Status);
        Assert.IsType<ArgumentException>(seen.Error);
        Assert.False(seen.HasValue);
        Assert.Null(seen.ValueJson);
        Assert.Equal("kaboom", (await Assert.ThrowsAsync<TaskFailedException>(async () => await handle.GetAsync(blocking: false))).RemoteMessage);
    }

    [Fact]
    public async Task Disposing_a_registration_removes_its_hook()
    {
        var app = TestApps.Memory();
        var calls = 0;
        var registration = app.Hooks.PreExecute((_, _) =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.CompletedTask;
        });
        var runner = new TaskRunner(app);
        Add.With(app).Enqueue(1, 1);
        await runner.RunNextAsync();
        registration.Dispose();
        Add.With(app).Enqueue(1, 1);
        await runner.RunNextAsync();

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Eager_runs_go_through_the_hooks()
    {
        var app = new TaskApp { Eager = true };
        app.Hooks.PreExecute((context, _) =>
            context.TaskName == Counted.Name ? throw new CancelExecutionException() : ValueTask.CompletedTask);
        var key = Counters.NewKey();

        var handle = Counted.With(app).Enqueue(key);

        Assert.Equal(0, Counters.Get(key));
        Assert.Equal("TaskQueue.CancelExecutionException",
            (await Assert.ThrowsAsync<TaskFailedException>(async () => await handle.GetAsync(blocking: false))).RemoteType);
        Assert.Equal(4, await Add.With(app).Enqueue(2, 2).GetAsync(blocking: false));
    }

    [Fact]
    public async Task Startup_and_shutdown_hooks_run_once_in_every_worker_and_share_the_worker_s_items()
    {
        var app = TestApps.Memory();
        var started = new ConcurrentQueue<(string Consumer, int Worker)>();
        var stopped = new ConcurrentQueue<string>();
        var order = new ConcurrentQueue<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Hooks.OnStartup(async (worker, _) =>
        {
            await gate.Task;
            worker.Items["name"] = $"w{worker.Worker}";
            started.Enqueue((worker.ConsumerId, worker.Worker));
            order.Enqueue("startup");
        });
        app.Hooks.OnShutdown((worker, _) =>
        {
            stopped.Enqueue((string)worker.Items["name"]!);
            return ValueTask.CompletedTask;
        });
        app.Hooks.PreExecute((_, _) =>
        {
            order.Enqueue("run");
            return ValueTask.CompletedTask;
        });
        var sum = Add.With(app).Enqueue(1, 2);
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 3));
        consumer.Start();
        await consumer.Ready.WaitAsync(TestApps.Wait);

        gate.SetResult();
        Assert.Equal(3, await sum.GetAsync(timeout: TestApps.Wait));
        await consumer.StopAsync();

        Assert.Equal([0, 1, 2], started.Select(s => s.Worker).Order());
        Assert.All(started, s => Assert.Equal(consumer.ConsumerId, s.Consumer));
        Assert.Equal(["w0", "w1", "w2"], stopped.Order());
        Assert.Equal("startup", order.First());   // no worker runs a task before its startup hooks
        Assert.Equal(3, order.Count(o => o == "startup"));
    }

    [Fact]
    public async Task A_failing_startup_hook_is_logged_and_the_worker_runs_tasks_all_the_same()
    {
        var logs = new RecordingLoggerProvider();
        using var factory = logs.CreateFactory();
        var app = TestApps.Memory();
        app.Hooks.OnStartup((_, _) => throw new InvalidOperationException("no database"), name: "db");
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1), factory);
        consumer.Start();

        Assert.Equal(7, await Add.With(app).Enqueue(3, 4).GetAsync(timeout: TestApps.Wait));
        var line = Assert.Single(logs.Lines, l => l.Message.Contains("no database", StringComparison.Ordinal));
        Assert.StartsWith($"The startup hook db failed in consumer {consumer.ConsumerId}, worker 0; the worker goes on", line.Message, StringComparison.Ordinal);
    }
}
