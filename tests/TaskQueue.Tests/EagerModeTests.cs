using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;

namespace TaskQueue.Tests;

public sealed class EagerModeTests
{
    private static TaskApp Eager(bool storeNone = false) => new(new MemoryStorage()) { Eager = true, StoreNone = storeNone };

    [Fact]
    public void Enqueue_runs_the_task_inline_and_the_result_is_ready()
    {
        var r = Add.With(Eager()).Enqueue(2, 3);
        Assert.True(r.TryGet(out var value));
        Assert.Equal(5, value);
    }

    [Fact]
    public async Task Schedule_runs_inline_ignoring_the_delay()
    {
        var key = Counters.NewKey();
        var app = Eager();
        await Touch.With(app).ScheduleAsync(key, delay: TimeSpan.FromHours(1));
        Assert.Equal(1, Counters.Get(key));
        Assert.Empty(await app.Storage.ScheduledAsync(10));
    }

    [Fact]
    public void Retries_run_at_once_in_eager_mode()
    {
        var key = Counters.NewKey();
        Assert.Equal(3, FailTimes.With(Eager()).Enqueue(key, 2).Get(timeout: TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void A_failure_is_stored_and_rethrown_on_read()
    {
        var r = Boom.With(Eager(storeNone: true)).Enqueue("kaboom");
        var e = Assert.Throws<TaskFailedException>(() => r.Get(blocking: false));
        Assert.Equal("System.ArgumentException", e.RemoteType);
    }

    [Fact]
    public async Task Nothing_reaches_the_queue()
    {
        var app = Eager();
        Add.With(app).Enqueue(1, 1);
        Assert.Equal(0, await app.Storage.QueueLengthAsync("default"));
    }

    [Fact]
    public void A_revoked_task_does_not_run_eagerly()
    {
        var key = Counters.NewKey();
        var app = Eager();
        Touch.With(app).Revoke();
        Touch.With(app).Enqueue(key);
        Assert.Equal(0, Counters.Get(key));
        Assert.True(Touch.With(app).Restore());
        Touch.With(app).Enqueue(key);
        Assert.Equal(1, Counters.Get(key));
    }
}
