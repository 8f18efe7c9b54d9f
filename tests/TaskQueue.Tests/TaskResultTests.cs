using System.Diagnostics;
using TaskQueue.Messages;
using TaskQueue.Tests.Tasks;

namespace TaskQueue.Tests;

public sealed class TaskResultTests
{
    [Fact]
    public async Task TryGet_tells_not_ready_apart_from_a_stored_zero()
    {
        var app = TestApps.Memory();
        var pending = Zero.With(app).Enqueue();
        Assert.False(pending.TryGet(out _));

        await app.Storage.PutResultAsync(pending.Id, ResultCodec.EncodeValue(new byte[] { 0x00 }), null);
        Assert.True(pending.TryGet(out var value));
        Assert.Equal(0, value);
    }

    [Theory]
    [InlineData("", "nothing")]
    [InlineData("cfffffffffffffffff", "a number past int")]
    [InlineData("d2", "a number cut short")]
    public async Task A_stored_value_that_does_not_decode_is_a_payload_error(string hex, string what)
    {
        var app = TestApps.Memory();
        await app.Storage.PutResultAsync("bad", ResultCodec.EncodeValue(Convert.FromHexString(hex)), null);

        var error = await Record.ExceptionAsync(async () => await Add.With(app).Result("bad").GetAsync(blocking: false));

        Assert.True(error is TaskPayloadException, $"{what}: {error}");
    }

    [Fact]
    public async Task A_read_deletes_the_result_unless_preserved()
    {
        var app = TestApps.Memory();
        await app.Storage.PutResultAsync("some-id", ResultCodec.EncodeValue(new byte[] { 0x07 }), null);
        // A handle keeps what it read (ResultHandleTests): each read here is a fresh handle's, so each asks storage.
        Assert.Equal(7, await Add.With(app).Result("some-id").GetAsync(blocking: false, preserve: true));
        Assert.Equal(7, await Add.With(app).Result("some-id").GetAsync(blocking: false));
        Assert.False((await Add.With(app).Result("some-id").TryGetAsync()).Ready);
    }

    [Fact]
    public async Task A_non_blocking_read_of_a_missing_result_throws_not_ready()
    {
        var r = Add.With(TestApps.Memory()).Enqueue(1, 2);
        await Assert.ThrowsAsync<TaskResultNotReadyException>(async () => await r.GetAsync(blocking: false));
    }

    [Fact]
    public async Task A_blocking_read_times_out_with_a_clear_exception()
    {
        var r = Add.With(TestApps.Memory()).Enqueue(1, 2);
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<TaskResultTimeoutException>(async () => await r.GetAsync(timeout: TimeSpan.FromMilliseconds(200)));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(180));
        Assert.Equal(r.Id, e.TaskId);
        Assert.Contains(r.Id, e.Message);
    }

    [Fact]
    public async Task A_timeout_can_revoke_the_task()
    {
        var app = TestApps.Memory();
        var r = Add.With(app).Enqueue(1, 2);
        await Assert.ThrowsAsync<TaskResultTimeoutException>(async () =>
            await r.GetAsync(timeout: TimeSpan.FromMilliseconds(50), revokeOnTimeout: true));
        Assert.True(r.IsRevoked());
    }

    [Fact]
    public async Task A_blocking_read_returns_once_the_result_arrives()
    {
        var app = TestApps.Memory();
        var r = Echo.With(app).Enqueue("hi");
        var read = r.GetAsync(timeout: TimeSpan.FromSeconds(10)).AsTask();
        await Task.Delay(50);
        Assert.False(read.IsCompleted);
        await app.Storage.PutResultAsync(r.Id, ResultCodec.EncodeValue(new byte[] { 0xa2, (byte)'y', (byte)'o' }), null);
        Assert.Equal("yo", await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_stored_error_throws_with_the_remote_type_message_and_stack()
    {
        var app = TestApps.Memory();
        var r = Add.With(app).Result("failed-id");
        await app.Storage.PutResultAsync("failed-id", ResultCodec.EncodeError(new TaskError("System.IO.IOException", "disk full", "   at Beans.Count()", Add.Name)), null);
        var e = Assert.Throws<TaskFailedException>(() => r.Get(blocking: false));
        Assert.Equal("System.IO.IOException", e.RemoteType);
        Assert.Equal("disk full", e.RemoteMessage);
        Assert.Equal("   at Beans.Count()", e.RemoteStackTrace);
        Assert.Contains("at Beans.Count()", e.StackTrace);
        Assert.Contains("disk full", e.Message);
        Assert.Equal("failed-id", e.TaskId);
    }

    [Fact]
    public void Backoff_below_one_is_rejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Add.With(TestApps.Memory()).Enqueue(1, 2).Get(backoff: 0.5));
}
