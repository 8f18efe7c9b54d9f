using System.Collections.Concurrent;
using System.Diagnostics;
using TaskQueue.Consumer;
using TaskQueue.Execution;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

/// <summary>Locks: <see cref="TaskApp.Locks"/> in code, and the lock a run of <c>[Task(Lock = ...)]</c> holds.</summary>
public sealed class TaskLockTests
{
    private readonly TaskApp app = TestApps.Memory();

    /// <summary>Takes the next message of the default queue, runs it through <paramref name="executor"/>, and settles it.</summary>
    private async Task<Completion> RunNextAsync(TaskExecutor executor)
    {
        var taken = Assert.Single((await app.Storage.TakeAsync([TaskDescriptor.DefaultQueue], "c1", 1, TimeSpan.FromMilliseconds(10))).Messages);
        var completion = await executor.ExecuteAsync(taken, false, default);
        await app.Storage.CompleteAsync("c1", [completion]);
        return completion;
    }

    /// <summary>Asserts <paramref name="condition"/> at every poll for <paramref name="duration"/>: what must hold all along.</summary>
    private static async Task HoldsForAsync(Func<Task<bool>> condition, string what, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            Assert.True(await condition(), $"{what} stopped holding after {clock.ElapsedMilliseconds} ms");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Acquire_takes_a_free_lock_and_another_acquire_throws_TaskLockedException_until_it_is_disposed()
    {
        var held = await app.Locks.AcquireAsync("report");
        Assert.Equal("report", held.Name);
        Assert.True(await app.Locks.IsLockedAsync("report"));
        Assert.False(await app.Locks.IsLockedAsync("other"));

        var e = await Assert.ThrowsAsync<TaskLockedException>(async () => await app.Locks.AcquireAsync("report"));
        Assert.Equal("report", e.LockName);
        Assert.Contains("the lock 'report' is held by another run", e.Message);
        Assert.Null(await app.Locks.TryAcquireAsync("report"));

        await held.DisposeAsync();
        Assert.False(await app.Locks.IsLockedAsync("report"));
        await using var again = await app.Locks.TryAcquireAsync("report");
        Assert.NotNull(again);
        await held.DisposeAsync(); // twice is harmless, and frees nothing of the next holder's
        Assert.True(await app.Locks.IsLockedAsync("report"));
    }

    [Fact]
    public async Task A_held_lock_is_renewed_while_held_and_outlives_its_time_to_live()
    {
        await using var held = await app.Locks.AcquireAsync("report", TimeSpan.FromMilliseconds(300));
        await HoldsForAsync(async () => await app.Locks.TryAcquireAsync("report", TimeSpan.FromMilliseconds(300)) is null, "the lock", TimeSpan.FromSeconds(1.5));
        Assert.False(held.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task The_lock_of_a_holder_that_died_expires_after_its_time_to_live()
    {
        // A holder that took it and stopped renewing it: a process that was killed.
        Assert.True(await app.Storage.AcquireLockAsync(TaskLocks.StorageName("report"), "dead/1", TimeSpan.FromMilliseconds(300)));
        Assert.Null(await app.Locks.TryAcquireAsync("report"));

        await Eventually.UntilAsync(async () => !await app.Locks.IsLockedAsync("report"), "the dead holder's lock to expire", TimeSpan.FromSeconds(10));
        await using var held = await app.Locks.AcquireAsync("report");
    }

    [Fact]
    public async Task Force_release_frees_a_lock_whoever_holds_it_and_its_holder_sees_it_lost_once_another_takes_it()
    {
        var first = await app.Locks.AcquireAsync("report", TimeSpan.FromMilliseconds(300));
        Assert.True(await app.Locks.ForceReleaseAsync("report"));
        Assert.False(await app.Locks.ForceReleaseAsync("report"));

        await using var second = await app.Locks.AcquireAsync("report");
        await Eventually.UntilAsync(() => first.Lost.IsCancellationRequested, "the first holder to see its lock lost", TimeSpan.FromSeconds(10));
        await first.DisposeAsync();
        Assert.True(await app.Locks.IsLockedAsync("report"));
    }

    [Fact]
    public async Task A_run_of_a_task_with_a_lock_holds_it_renewed_while_it_runs_and_frees_it_after()
    {
        var executor = new TaskExecutor(app) { RecurringLockTtl = TimeSpan.FromMilliseconds(300) };
        var key = Counters.NewKey();
        await LockedHeld.With(app).EnqueueAsync(key);
        var run = RunNextAsync(executor);
        await Gates.Entered(key).WaitAsync(TestApps.Wait);

        // Held by the run: in code under the same name, and for several of its time to live.
        await HoldsForAsync(async () => await app.Locks.TryAcquireAsync("tests.held", TimeSpan.FromMilliseconds(300)) is null, "the run's lock", TimeSpan.FromSeconds(1.2));
        Gates.Release(key);
        Assert.Equal(CompletionKind.Ack, (await run.WaitAsync(TestApps.Wait)).Kind);
        Assert.False(await app.Locks.IsLockedAsync("tests.held"));
    }

    [Fact]
    public async Task A_run_that_finds_its_lock_held_fails_with_TaskLockedException_and_goes_the_retry_path()
    {
        var executor = new TaskExecutor(app);
        var errors = new ConcurrentQueue<TaskEvent>();
        using var _ = app.Events.Subscribe(e => { if (e.Kind == TaskEventKind.Error) errors.Enqueue(e); });
        await using var held = await app.Locks.AcquireAsync("tests.exclusive");
        var key = Counters.NewKey();

        var retried = await Exclusive.With(app).EnqueueAsync(key, 0);
        var completion = await RunNextAsync(executor);
        Assert.Equal(CompletionKind.Retry, completion.Kind);
        Assert.Equal(29, Messages.MessageCodec.Decode(completion.Replacement).Retries);
        Assert.Equal(TimeSpan.FromSeconds(1), completion.Delay);
        var error = Assert.Single(errors);
        Assert.True(error.WillRetry);
        Assert.StartsWith("TaskLockedException: the lock 'tests.exclusive' is held by another run", error.Error);

        // Without retries left it fails for good, and its result says why.
        var failed = await LockedOnce.With(app).EnqueueAsync(key);
        await RunNextAsync(executor);
        var e = await Assert.ThrowsAsync<TaskFailedException>(async () => await failed.GetAsync(timeout: TestApps.Wait));
        Assert.Equal(typeof(TaskLockedException).FullName, e.RemoteType);
        Assert.Equal(0, Counters.Get(key));
        Assert.NotNull(retried);
    }

    [Fact]
    public async Task A_task_s_lock_left_by_a_dead_run_keeps_other_runs_out_until_it_expires()
    {
        var executor = new TaskExecutor(app);
        var key = Counters.NewKey();
        Assert.True(await app.Storage.AcquireLockAsync(TaskLocks.StorageName("tests.exclusive"), "dead-task-id/1", TimeSpan.FromMilliseconds(400)));

        await LockedOnce.With(app).EnqueueAsync(key);
        Assert.Equal(CompletionKind.Result, (await RunNextAsync(executor)).Kind); // its error
        await Eventually.UntilAsync(async () => !await app.Locks.IsLockedAsync("tests.exclusive"), "the dead run's lock to expire", TimeSpan.FromSeconds(10));
        var ran = await LockedOnce.With(app).EnqueueAsync(key);
        await RunNextAsync(executor);
        Assert.Equal(1, await ran.GetAsync(timeout: TestApps.Wait));
    }

    [Fact]
    public async Task Runs_of_a_task_with_a_lock_never_overlap_across_a_consumer_s_workers_and_all_of_them_run()
    {
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 4));
        consumer.Start();
        var key = Counters.NewKey();
        var handles = new List<TaskResult<int>>();
        for (int i = 0; i < 4; i++) handles.Add(await Exclusive.With(app).EnqueueAsync(key, 150));

        var results = new List<int>();
        foreach (var h in handles) results.Add(await h.GetAsync(timeout: TimeSpan.FromSeconds(40)));
        Assert.Equal([1, 2, 3, 4], results.Order());
        Assert.Equal(1, Overlaps.MostAtOnce(key));
        Assert.False(await app.Locks.IsLockedAsync("tests.exclusive"));
    }
}
