using System.Diagnostics;
using System.Reflection;
using TaskQueue.Execution;
using TaskQueue.Storage;
using TaskQueue.Testing;
using TaskQueue.Tests.Tasks;

namespace TaskQueue.Tests;

/// <summary>Client calls through a storage that fails for a while, as Redis does while a replica is promoted.</summary>
public sealed class ClientRetryTests
{
    /// <summary>
    /// Forwards to a real storage, except that the next <see cref="FailNext"/> calls (or every call
    /// while <see cref="Down"/>) throw <see cref="Failure"/> without reaching it. Records the send ids
    /// it was given.
    /// </summary>
    public class Flaky : DispatchProxy
    {
        public ITaskStorage Inner { get; set; } = null!;
        public int FailNext;
        public volatile bool Down;
        public int Failures;
        public int Calls;
        public Func<Exception> Failure { get; set; } = () => new TimeoutException("timed out (a test outage)");
        /// <summary>When set, the next call of this method runs and then throws, as a call whose reply was lost.</summary>
        public string? LoseReplyOf;
        public readonly List<SendId> Sends = [];

        public static (ITaskStorage Storage, Flaky Control) Over(ITaskStorage inner)
        {
            var storage = Create<ITaskStorage, Flaky>();
            var control = (Flaky)(object)storage;
            control.Inner = inner;
            return (storage, control);
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(ITaskStorage.IsTransientFailure)) return Inner.IsTransientFailure((Exception)args![0]!);
            Interlocked.Increment(ref Calls);
            lock (Sends)
            {
                foreach (var a in args ?? []) if (a is SendId send) Sends.Add(send);
            }
            if (Down || Interlocked.Decrement(ref FailNext) >= 0)
            {
                Interlocked.Increment(ref Failures);
                throw Failure();
            }
            try
            {
                var result = method.Invoke(Inner, args);
                if (method.Name == LoseReplyOf)
                {
                    LoseReplyOf = null;
                    if (result is ValueTask<RecurringWriteResult> put) put.AsTask().GetAwaiter().GetResult();
                    Interlocked.Increment(ref Failures);
                    throw Failure();
                }
                return result;
            }
            catch (TargetInvocationException e) when (e.InnerException is { } inner)
            {
                throw inner;
            }
        }
    }

    private static (TaskApp App, Flaky Control, MemoryStorage Inner) NewApp(TimeSpan? retryTime = null)
    {
        var inner = new MemoryStorage();
        var (storage, control) = Flaky.Over(inner);
        var app = new TaskApp(storage) { StorageRetryTime = retryTime ?? TimeSpan.FromSeconds(10) };
        return (app, control, inner);
    }

    [Fact]
    public async Task An_enqueue_through_a_passing_outage_succeeds_once_with_the_same_send_id_on_every_try()
    {
        var (app, flaky, _) = NewApp();
        flaky.FailNext = 3;
        var handle = await Add.With(app).EnqueueAsync(2, 3);
        Assert.Equal(3, flaky.Failures);
        Assert.Equal(handle.Id, Assert.Single(await app.PendingAsync()).Id);
        Assert.Equal(4, flaky.Sends.Count);
        Assert.Single(flaky.Sends.Distinct());
        Assert.False(flaky.Sends[0].IsNone);

        await Add.With(app).EnqueueAsync(4, 5);
        Assert.NotEqual(flaky.Sends[0], flaky.Sends[^1]); // each call has its own
    }

    public static TheoryData<string> ClientCalls() =>
    [
        "enqueue", "enqueue many", "schedule with a delay", "schedule at a time", "try get", "get", "revoke by id",
        "restore by id", "is revoked", "revoke task", "restore task", "is task revoked", "pending", "scheduled", "results",
        "dead letters", "requeue dead letter", "delete dead letter", "create recurring", "list recurring", "get recurring",
        "find recurring", "disable recurring", "delete recurring",
    ];

    [Theory]
    [MemberData(nameof(ClientCalls))]
    public async Task Every_client_call_rides_out_a_passing_outage(string call)
    {
        var (app, flaky, inner) = NewApp();
        var done = await Add.With(app).EnqueueAsync(1, 1);
        await inner.PutResultAsync(done.Id, TaskQueue.Messages.ResultCodec.EncodeValue(new byte[] { 2 }), null);
        await inner.DeadLetterAsync("default", new byte[] { 1, 2, 3 }, "a test");
        var letter = (await inner.ListDeadLettersAsync(10))[0].Id;
        var record = app.Recurring.Create(Touch.Descriptor, new byte[] { 0x91, 0xa1, 0x6b }, "0 4 * * *", label: "nightly");
        await record.SaveAsync();
        flaky.FailNext = 3;

        Func<Task> act = call switch
        {
            "enqueue" => () => Add.With(app).EnqueueAsync(1, 2).AsTask(),
            "enqueue many" => () => Add.With(app).EnqueueManyAsync([(1, 2), (3, 4)]).AsTask(),
            "schedule with a delay" => () => Add.With(app).ScheduleAsync(1, 2, delay: TimeSpan.FromMinutes(1)).AsTask(),
            "schedule at a time" => () => Add.With(app).ScheduleAsync(1, 2, eta: DateTimeOffset.UtcNow.AddMinutes(1)).AsTask(),
            "try get" => async () => Assert.True((await Add.With(app).Result(done.Id).TryGetAsync(preserve: true)).Ready),
            "get" => async () => await Add.With(app).Result(done.Id).GetAsync(timeout: TimeSpan.FromSeconds(10)),
            "revoke by id" => () => app.RevokeByIdAsync("some-id").AsTask(),
            "restore by id" => () => app.RestoreByIdAsync("some-id").AsTask(),
            "is revoked" => () => app.IsRevokedByIdAsync("some-id").AsTask(),
            "revoke task" => () => app.RevokeTaskAsync(Add.Name).AsTask(),
            "restore task" => () => app.RestoreTaskAsync(Add.Name).AsTask(),
            "is task revoked" => () => app.IsTaskRevokedAsync(Add.Name).AsTask(),
            "pending" => async () => Assert.NotEmpty(await app.PendingAsync()),
            "scheduled" => () => app.ScheduledAsync().AsTask(),
            "results" => async () => Assert.NotEmpty(await app.ResultsAsync()),
            "dead letters" => async () => Assert.NotEmpty(await app.DeadLettersAsync()),
            "requeue dead letter" => async () => Assert.True(await app.RequeueDeadLetterAsync(letter)),
            "delete dead letter" => async () => Assert.True(await app.DeleteDeadLetterAsync(letter)),
            "create recurring" => () => app.Recurring.Create(Touch.Descriptor, new byte[] { 0x91, 0xa1, 0x6b }, "0 5 * * *", label: "other").SaveAsync(),
            "list recurring" => async () => Assert.Single(await app.Recurring.ListAsync()),
            "get recurring" => async () => Assert.NotNull(await app.Recurring.GetAsync(record.Id)),
            "find recurring" => async () => Assert.NotNull(await app.Recurring.FindAsync("nightly")),
            "disable recurring" => async () => Assert.True(await app.Recurring.DisableAsync(record.Id)),
            "delete recurring" => async () => Assert.True(await app.Recurring.DeleteAsync(record.Id)),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };
        await act();
        Assert.Equal(3, flaky.Failures);
    }

    [Fact]
    public async Task An_outage_longer_than_the_retry_time_ends_in_an_exception_that_says_what_and_how_long()
    {
        var (app, flaky, _) = NewApp(TimeSpan.FromMilliseconds(400));
        flaky.Down = true;
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<TaskStorageUnavailableException>(() => Add.With(app).EnqueueAsync(1, 2).AsTask());
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5));
        Assert.StartsWith($"could not enqueue task {Add.Name}: the storage was unreachable for 0.4 s", e.Message);
        Assert.Contains("TaskApp.StorageRetryTime", e.Message);
        Assert.Contains("TimeoutException: timed out (a test outage)", e.Message);
        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.True(e.Attempts >= 3, $"{e.Attempts} tries");
        Assert.Equal(e.Attempts, flaky.Failures);
    }

    [Fact]
    public async Task A_zero_retry_time_tries_once()
    {
        var (app, flaky, _) = NewApp(TimeSpan.Zero);
        flaky.FailNext = 1;
        var e = await Assert.ThrowsAsync<TaskStorageUnavailableException>(() => app.PendingAsync().AsTask());
        Assert.Equal((1, 1), (e.Attempts, flaky.Calls));
    }

    [Fact]
    public async Task An_error_that_is_not_a_passing_failure_is_thrown_at_once()
    {
        var (app, flaky, _) = NewApp();
        flaky.FailNext = 1;
        flaky.Failure = () => new InvalidOperationException("WRONGTYPE not a list");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Add.With(app).EnqueueAsync(1, 2).AsTask());
        Assert.Equal("WRONGTYPE not a list", e.Message);
        Assert.Equal(1, flaky.Calls);
    }

    [Fact]
    public async Task Cancelling_stops_the_retries()
    {
        var (app, flaky, _) = NewApp(TimeSpan.FromMinutes(5));
        flaky.Down = true;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Add.With(app).EnqueueAsync(1, 2, cancellationToken: cancel.Token).AsTask());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{clock.Elapsed}");
    }

    [Fact]
    public async Task A_recurring_record_whose_creation_lost_its_reply_is_saved_once_without_an_error()
    {
        var (app, flaky, _) = NewApp();
        flaky.LoseReplyOf = nameof(ITaskStorage.PutRecurringAsync);
        var record = app.Recurring.Create(Touch.Descriptor, new byte[] { 0x91, 0xa1, 0x6b }, "0 4 * * *", label: "nightly");
        await record.SaveAsync();
        Assert.Equal(1, flaky.Failures);
        Assert.True(record.IsSaved);
        Assert.Equal(record.Id, Assert.Single(await app.Recurring.ListAsync()).Id);
    }

    private static async Task<TaskResult<int>> FinishedAddAsync(TaskApp app, MemoryStorage inner)
    {
        var handle = await Add.With(app).EnqueueAsync(2, 3);
        var batch = await inner.TakeAsync([TaskDescriptor.DefaultQueue], "c", 10, TimeSpan.Zero);
        var executor = new TaskExecutor(app);
        await inner.CompleteAsync("c", [await executor.ExecuteAsync(Assert.Single(batch.Messages), batch.RevocationsVersion, default)]);
        return handle;
    }

    [Fact]
    public async Task A_blocking_wait_rides_out_an_outage_within_its_timeout()
    {
        var (app, flaky, inner) = NewApp(TimeSpan.FromMilliseconds(100));
        var handle = await FinishedAddAsync(app, inner);
        flaky.Down = true;
        var wait = handle.GetAsync(timeout: TimeSpan.FromSeconds(20)).AsTask();
        await Eventually.UntilAsync(() => Task.FromResult(flaky.Failures >= 5), "the wait to fail a few reads");
        await Task.Delay(300); // longer than StorageRetryTime: a wait with a timeout is bound by that instead
        Assert.False(wait.IsCompleted);
        flaky.Down = false;
        Assert.Equal(5, await wait.WaitAsync(TestApps.Wait));
    }

    [Fact]
    public async Task A_blocking_wait_that_times_out_during_an_outage_says_the_storage_was_unreachable()
    {
        var (app, flaky, inner) = NewApp();
        var handle = await FinishedAddAsync(app, inner);
        flaky.Down = true;
        var e = await Assert.ThrowsAsync<TaskResultTimeoutException>(() => handle.GetAsync(timeout: TimeSpan.FromMilliseconds(300)).AsTask());
        Assert.Contains("the storage was unreachable for the last", e.Message);
        Assert.IsType<TimeoutException>(e.InnerException);
    }

    [Fact]
    public async Task A_wait_that_times_out_during_an_outage_with_revoke_on_timeout_still_ends_at_its_timeout()
    {
        var (app, flaky, inner) = NewApp(TimeSpan.FromSeconds(10));
        var handle = await FinishedAddAsync(app, inner);
        flaky.Down = true;
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<TaskResultTimeoutException>(() => handle.GetAsync(timeout: TimeSpan.FromMilliseconds(300), revokeOnTimeout: true).AsTask());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}: the revoke waited out StorageRetryTime");
        Assert.IsType<TimeoutException>(e.InnerException);
    }

    [Fact]
    public async Task A_blocking_wait_without_a_timeout_gives_up_once_storage_failed_for_the_retry_time()
    {
        var (app, flaky, inner) = NewApp(TimeSpan.FromMilliseconds(300));
        var handle = await FinishedAddAsync(app, inner);
        flaky.Down = true;
        var e = await Assert.ThrowsAsync<TaskStorageUnavailableException>(() => handle.GetAsync().AsTask().WaitAsync(TestApps.Wait));
        Assert.StartsWith($"could not wait for the result of task {handle.Id}", e.Message);
    }
}
