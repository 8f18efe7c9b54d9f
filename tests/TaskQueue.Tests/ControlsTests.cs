using MessagePack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TaskQueue.Consumer;
using TaskQueue.Execution;
using TaskQueue.Messages;
using TaskQueue.Serialization;
using TaskQueue.Storage;
using TaskQueue.Testing;
using TaskQueue.Tests.Tasks;

namespace TaskQueue.Tests;

/// <summary>Expiry, timeout and retry backoff, one message at a time through <see cref="TaskExecutor"/> on a fake clock.</summary>
public sealed class ControlsTests : IDisposable
{
    private readonly TaskApp app;
    private readonly FakeTimeProvider time;
    private readonly RecordingLoggerProvider logs = new();
    private readonly List<TaskEvent> events = [];
    private readonly IDisposable subscription;

    public ControlsTests()
    {
        (app, time) = TestApps.WithFakeTime();
        subscription = app.Events.Subscribe(e => { lock (events) events.Add(e); });
    }

    public void Dispose() => subscription.Dispose();

    private TaskExecutor NewExecutor() => new(app, logs.CreateFactory().CreateLogger<TaskExecutor>());

    internal static byte[] Args(string key) => PayloadBuffer.Encode(key, static (ref MessagePackWriter w, string k) =>
    {
        w.WriteArrayHeader(1);
        w.Write(k);
    });

    private TakenMessage Send(TaskDescriptor task, string key, TaskOptions? options = null, DateTimeOffset? eta = null)
        => Taken(app.Encode(task, app.NewMessage(task, Args(key), options, eta)));

    private static TakenMessage Taken(ReadOnlyMemory<byte> body) => new("default", body, TaskId.New(), 0);

    private TaskEvent[] Events(TaskEventKind kind)
    {
        lock (events) return [.. events.Where(e => e.Kind == kind)];
    }

    [Fact]
    public async Task A_run_not_started_by_its_expiry_is_acked_without_running_and_reported_as_expired()
    {
        var key = Counters.NewKey();
        var taken = Send(Fleeting.Descriptor, key);
        time.Advance(TimeSpan.FromSeconds(2));

        var completion = await NewExecutor().ExecuteAsync(taken, false, default);

        Assert.Equal(CompletionKind.Ack, completion.Kind);
        Assert.Equal(0, Counters.Get(key));
        Assert.Contains("expired at", Assert.Single(Events(TaskEventKind.Expired)).Error);
        Assert.Empty(Events(TaskEventKind.Started));
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Information && l.Message.Contains("skipped: it expired at"));
    }

    [Fact]
    public async Task A_run_that_starts_within_its_expiry_runs()
    {
        var key = Counters.NewKey();
        var taken = Send(Fleeting.Descriptor, key);
        time.Advance(TimeSpan.FromMilliseconds(500));

        await NewExecutor().ExecuteAsync(taken, false, default);

        Assert.Equal(1, Counters.Get(key));
        Assert.Empty(Events(TaskEventKind.Expired));
    }

    [Fact]
    public async Task An_expiry_given_as_a_duration_counts_from_a_scheduled_runs_eta()
    {
        var key = Counters.NewKey();
        var eta = time.GetUtcNow().AddHours(1);
        var taken = Send(Fleeting.Descriptor, key, new TaskOptions { ExpiresAfter = TimeSpan.FromSeconds(10) }, eta);
        Assert.Equal(eta.AddSeconds(10), MessageCodec.Decode(taken.Body).Expires);

        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(5));
        await NewExecutor().ExecuteAsync(taken, false, default);
        time.Advance(TimeSpan.FromSeconds(10));
        await NewExecutor().ExecuteAsync(taken, false, default);

        Assert.Equal(1, Counters.Get(key));
        Assert.Single(Events(TaskEventKind.Expired));
    }

    [Fact]
    public async Task A_per_call_expiry_time_wins_over_the_tasks_expiry()
    {
        var key = Counters.NewKey();
        var taken = Send(Fleeting.Descriptor, key, new TaskOptions { ExpiresAt = time.GetUtcNow().AddHours(1) });
        time.Advance(TimeSpan.FromMinutes(10));

        await NewExecutor().ExecuteAsync(taken, false, default);

        Assert.Equal(1, Counters.Get(key));
    }

    [Fact]
    public async Task An_expired_run_is_skipped_in_eager_mode_too()
    {
        var eager = new TaskApp(new MemoryStorage(time), time) { Eager = true };
        var expired = new List<TaskEvent>();
        using var _ = eager.Events.Subscribe(e => { if (e.Kind == TaskEventKind.Expired) expired.Add(e); });
        var key = Counters.NewKey();

        await eager.EnqueueAsync(Fleeting.Descriptor, Args(key), new TaskOptions { ExpiresAt = time.GetUtcNow().AddSeconds(-1) });
        Assert.Equal(0, Counters.Get(key));
        Assert.Single(expired);

        await eager.EnqueueAsync(Fleeting.Descriptor, Args(key), options: null);
        Assert.Equal(1, Counters.Get(key));
    }

    [Fact]
    public async Task A_run_stopped_at_its_timeout_fails_with_a_timeout_error_and_is_retried()
    {
        var key = Counters.NewKey();
        // The run starts inside the call, before anything awaits: the clock moves after its timer is set.
        var run = NewExecutor().ExecuteAsync(Send(Patient.Descriptor, key), false, default).AsTask();
        Assert.Equal(1, Counters.Get(key + ":start"));

        time.Advance(TimeSpan.FromSeconds(1));
        var completion = await run.WaitAsync(TestApps.Wait);

        Assert.Equal(CompletionKind.Retry, completion.Kind);
        Assert.Equal(0, MessageCodec.Decode(completion.Replacement).Retries);
        var error = Assert.Single(Events(TaskEventKind.Error));
        Assert.True(error.WillRetry);
        Assert.Equal($"TaskTimeoutException: task '{Patient.Name}' timed out after 1 s", error.Error);
        Assert.Empty(Events(TaskEventKind.TimedOut));
        Assert.Empty(Events(TaskEventKind.Cancelled));
    }

    [Fact]
    public async Task A_run_that_times_out_with_no_retries_left_stores_a_timeout_error()
    {
        var run = NewExecutor().ExecuteAsync(Send(Patient.Descriptor, Counters.NewKey(), new TaskOptions { Retries = 0 }), false, default).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        var completion = await run.WaitAsync(TestApps.Wait);

        Assert.Equal(CompletionKind.Result, completion.Kind);
        var stored = ResultCodec.Decode(completion.Result);
        Assert.Equal(typeof(TaskTimeoutException).FullName, stored.Error!.Type);
        Assert.Contains("timed out after 1 s", stored.Error.Message);
    }

    [Fact]
    public async Task A_per_call_timeout_wins_over_the_tasks_timeout()
    {
        var run = NewExecutor().ExecuteAsync(Send(Patient.Descriptor, Counters.NewKey(), new TaskOptions { Timeout = TimeSpan.FromSeconds(5) }), false, default).AsTask();
        time.Advance(TimeSpan.FromSeconds(5));
        await run.WaitAsync(TestApps.Wait);

        Assert.EndsWith("timed out after 5 s", Assert.Single(Events(TaskEventKind.Error)).Error);
    }

    [Fact]
    public async Task A_run_cut_short_by_a_stopping_consumer_is_handed_back_not_failed()
    {
        using var stopping = new CancellationTokenSource();
        var run = NewExecutor().ExecuteAsync(Send(Patient.Descriptor, Counters.NewKey()), false, stopping.Token).AsTask();
        await stopping.CancelAsync();
        var completion = await run.WaitAsync(TestApps.Wait);

        Assert.Equal(CompletionKind.Release, completion.Kind);
        Assert.True(completion.CountsDelivery);
        Assert.Empty(Events(TaskEventKind.Error));
    }

    [Fact]
    public async Task A_run_deaf_to_its_token_is_abandoned_after_the_grace_and_what_it_ends_with_is_dropped()
    {
        var key = Counters.NewKey();
        var executor = NewExecutor();
        executor.TimeoutGrace = TimeSpan.FromSeconds(10);
        var run = executor.ExecuteAsync(Send(Deaf.Descriptor, key), false, default).AsTask();
        await Gates.Entered(key).WaitAsync(TestApps.Wait);

        time.Advance(TimeSpan.FromSeconds(1));     // its token fires, unheard
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));     // the hard limit: timeout and grace
        var completion = await run.WaitAsync(TestApps.Wait);

        Assert.Equal(CompletionKind.Result, completion.Kind);
        var stored = ResultCodec.Decode(completion.Result).Error!;
        Assert.Equal(typeof(TaskTimeoutException).FullName, stored.Type);
        Assert.Contains("abandoned", stored.Message);
        Assert.Contains("abandoned", Assert.Single(Events(TaskEventKind.TimedOut)).Error);
        Assert.Single(Events(TaskEventKind.Error));
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("abandoned"));
        Assert.Equal(0, Counters.Get(key + ":end"));

        // The run goes on in the background; when it ends, nothing more is reported for it.
        Gates.Release(key);
        await Eventually.UntilAsync(() => logs.Lines.Any(l => l.Message.StartsWith("Abandoned run of task", StringComparison.Ordinal)), "the abandoned run to end");
        Assert.Equal(1, Counters.Get(key + ":end"));
        Assert.Empty(Events(TaskEventKind.Finished));
        Assert.Single(Events(TaskEventKind.Error));
    }

    [Fact]
    public async Task Each_retry_waits_the_backoff_times_longer_up_to_its_limit_and_the_context_shows_it()
    {
        var key = Counters.NewKey();
        var options = new TaskOptions { Retries = 4, RetryDelay = TimeSpan.FromSeconds(1), Backoff = new RetryBackoff(3, TimeSpan.FromSeconds(10)) };
        var taken = Send(Flaky.Descriptor, key, options);
        var waits = new List<double>();
        for (int i = 0; i < 4; i++)
        {
            var completion = await NewExecutor().ExecuteAsync(taken, false, default);
            Assert.Equal(CompletionKind.Retry, completion.Kind);
            // Announced once the retry is stored in the schedule.
            Assert.Equal(TaskEventKind.Scheduled, completion.AfterSettle?.Kind);
            waits.Add(completion.Delay.TotalSeconds);
            taken = Taken(completion.Replacement);
        }
        var last = await NewExecutor().ExecuteAsync(taken, false, default);

        Assert.Equal([1, 3, 9, 10], waits);
        Assert.Equal([1, 3, 9, 10, 10], ControlTasks.RetryDelays[key].Select(d => d.TotalSeconds));
        Assert.Equal(CompletionKind.Result, last.Kind);
    }

    [Fact]
    public async Task The_tasks_backoff_with_jitter_draws_each_wait_between_half_and_all_of_the_grown_delay()
    {
        var descriptor = Controlled.Descriptor;
        Assert.Equal(TimeSpan.FromSeconds(1), descriptor.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(1), descriptor.Expires);
        Assert.Equal(new RetryBackoff(2, TimeSpan.FromSeconds(4), Jitter: true), descriptor.Backoff);
        var key = Counters.NewKey();
        var taken = Send(descriptor, key);
        var sent = MessageCodec.Decode(taken.Body);
        Assert.Equal((TimeSpan.FromSeconds(1), time.GetUtcNow().AddSeconds(1)), (sent.Timeout, sent.Expires));

        var waits = new List<TimeSpan>();
        for (int i = 0; i < 3; i++)
        {
            var completion = await NewExecutor().ExecuteAsync(taken, false, default);
            waits.Add(completion.Delay);
            taken = Taken(completion.Replacement);
        }

        Assert.InRange(waits[0].TotalSeconds, 0.5, 1);
        Assert.InRange(waits[1].TotalSeconds, 1, 2);
        Assert.InRange(waits[2].TotalSeconds, 2, 4);
        Assert.Equal([1, 2, 4], ControlTasks.RetryDelays[key].Select(d => d.TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(4), MessageCodec.Decode(taken.Body).RetryDelay);
    }

    [Fact]
    public async Task Without_a_backoff_every_retry_waits_the_same_delay()
    {
        var key = Counters.NewKey();
        var taken = Send(Flaky.Descriptor, key, new TaskOptions { Retries = 2, RetryDelay = TimeSpan.FromSeconds(7) });
        var first = await NewExecutor().ExecuteAsync(taken, false, default);
        var second = await NewExecutor().ExecuteAsync(Taken(first.Replacement), false, default);

        Assert.Equal([7, 7], new[] { first.Delay.TotalSeconds, second.Delay.TotalSeconds });
        Assert.Equal([7, 7], ControlTasks.RetryDelays[key].Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task A_first_retry_delay_longer_than_the_backoffs_limit_is_cut_to_it()
    {
        var key = Counters.NewKey();
        var options = new TaskOptions { Retries = 1, RetryDelay = TimeSpan.FromMinutes(10), Backoff = new RetryBackoff(2, TimeSpan.FromMinutes(1)) };
        var completion = await NewExecutor().ExecuteAsync(Send(Flaky.Descriptor, key, options), false, default);

        Assert.Equal(TimeSpan.FromMinutes(1), completion.Delay);
        Assert.Equal(TimeSpan.FromMinutes(1), Assert.Single(ControlTasks.RetryDelays[key]));
    }

    [Fact]
    public async Task Eager_retries_run_at_once_and_their_contexts_show_the_growing_delay()
    {
        var eager = new TaskApp(new MemoryStorage()) { Eager = true };
        var key = Counters.NewKey();
        var options = new TaskOptions { Retries = 2, RetryDelay = TimeSpan.FromHours(1), Backoff = new RetryBackoff(2) };

        var id = await eager.EnqueueAsync(Flaky.Descriptor, Args(key), options);

        Assert.Equal(3, Counters.Get(key));
        Assert.Equal([1, 2, 4], ControlTasks.RetryDelays[key].Select(d => d.TotalHours));
        await Assert.ThrowsAsync<TaskFailedException>(async () => await Flaky.With(eager).Result(id).GetAsync(blocking: false));
    }

    [Fact]
    public async Task Sends_with_options_carry_them_in_the_message()
    {
        var backoff = RetryBackoff.Exponential(TimeSpan.FromMinutes(5));
        var options = new TaskOptions { Timeout = TimeSpan.FromSeconds(30), Backoff = backoff, ExpiresAfter = TimeSpan.FromMinutes(2), Priority = 9 };
        await app.EnqueueAsync(Fleeting.Descriptor, Args("a"), options);
        await app.ScheduleAsync(Fleeting.Descriptor, Args("b"), options, delay: TimeSpan.FromHours(1));

        var queued = Assert.Single(await app.PendingAsync());
        Assert.Equal((TimeSpan.FromSeconds(30), backoff, time.GetUtcNow().AddMinutes(2)), (queued.Timeout, queued.Backoff, queued.Expires));
        var scheduled = Assert.Single(await app.ScheduledAsync());
        Assert.Equal(time.GetUtcNow().AddHours(1), scheduled.Eta);
        Assert.Equal(scheduled.Eta.AddMinutes(2), scheduled.Message.Expires);
        // A deduplicated send that finds its key held returns the run that holds it.
        string first = await app.EnqueueAsync(Fleeting.Descriptor, Args("c"), new TaskOptions { DeduplicationKey = "k" });
        Assert.Equal(first, await app.EnqueueAsync(Fleeting.Descriptor, Args("d"), new TaskOptions { DeduplicationKey = "k" }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await app.EnqueueAsync(Fleeting.Descriptor, Args("c"), new TaskOptions { Timeout = TimeSpan.Zero }));
    }

    [Fact]
    public void The_timeout_grace_cannot_be_negative()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), new ConsumerOptions().TimeoutGrace);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ConsumerOptions { TimeoutGrace = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Equal(nameof(ConsumerOptions.TimeoutGrace), e.ParamName);
    }
}
