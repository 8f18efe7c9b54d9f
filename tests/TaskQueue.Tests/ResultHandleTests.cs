using TaskQueue.Messages;
using TaskQueue.Tests.Tasks;

namespace TaskQueue.Tests;

/// <summary>Result handles as huey's: what a handle read it keeps until reset; a handle by id alone; the retries a failure had left.</summary>
public sealed class ResultHandleTests
{
    private static byte[] Value(byte encoded) => ResultCodec.EncodeValue(new[] { encoded });

    [Fact]
    public async Task A_handle_keeps_the_value_it_read_though_the_read_deleted_it()
    {
        var app = TestApps.Memory();
        var handle = Add.With(app).Result("t1");
        await app.Storage.PutResultAsync("t1", Value(0x07), null);

        Assert.Equal(7, await handle.GetAsync(blocking: false));
        Assert.Null(await app.Storage.ReadResultAsync("t1", preserve: true));
        Assert.Equal(7, await handle.GetAsync(blocking: false));
        Assert.Equal(7, await handle.GetAsync(timeout: TimeSpan.FromMilliseconds(1)));
        Assert.True(handle.TryGet(out var again));
        Assert.Equal(7, again);
    }

    [Fact]
    public async Task Another_handle_on_the_same_id_finds_nothing_once_a_read_deleted_it()
    {
        var app = TestApps.Memory();
        await app.Storage.PutResultAsync("t1", Value(0x07), null);
        Assert.Equal(7, await Add.With(app).Result("t1").GetAsync(blocking: false));

        Assert.False((await Add.With(app).Result("t1").TryGetAsync()).Ready);
    }

    [Fact]
    public async Task A_handle_keeps_an_error_it_read_and_throws_it_at_every_read()
    {
        var app = TestApps.Memory();
        var handle = Add.With(app).Result("t1");
        await app.Storage.PutResultAsync("t1", ResultCodec.EncodeError(new TaskError("System.IO.IOException", "disk full", null, Add.Name)), null);

        var first = await Assert.ThrowsAsync<TaskFailedException>(async () => await handle.GetAsync(blocking: false));
        Assert.Null(await app.Storage.ReadResultAsync("t1", preserve: true));
        var second = await Assert.ThrowsAsync<TaskFailedException>(async () => await handle.GetAsync(blocking: false));

        Assert.Equal("disk full", second.RemoteMessage);
        Assert.Equal(first.RemoteType, second.RemoteType);
        Assert.NotSame(first, second);
    }

    [Fact]
    public async Task Reset_forgets_what_the_handle_read_so_the_next_read_asks_storage()
    {
        var app = TestApps.Memory();
        var handle = Add.With(app).Result("t1");
        await app.Storage.PutResultAsync("t1", Value(0x07), null);
        Assert.Equal(7, await handle.GetAsync(blocking: false));

        handle.Reset();

        await Assert.ThrowsAsync<TaskResultNotReadyException>(async () => await handle.GetAsync(blocking: false));
        await app.Storage.PutResultAsync("t1", Value(0x08), null);
        Assert.Equal(8, await handle.GetAsync(blocking: false));
    }

    [Fact]
    public async Task A_preserving_read_is_kept_too_and_leaves_the_stored_result()
    {
        var app = TestApps.Memory();
        var handle = Add.With(app).Result("t1");
        await app.Storage.PutResultAsync("t1", Value(0x07), null);

        Assert.Equal(7, await handle.GetAsync(blocking: false, preserve: true));
        await app.Storage.PutResultAsync("t1", Value(0x09), null);

        Assert.Equal(7, await handle.GetAsync(blocking: false));
        Assert.NotNull(await app.Storage.ReadResultAsync("t1", preserve: true));
    }

    [Fact]
    public async Task App_Result_reads_a_value_by_id_as_json()
    {
        var app = TestApps.Memory();
        var parcel = Pack.With(app).Enqueue("beans", 3);
        var echo = Echo.With(app).Enqueue("hi");
        Assert.Equal((false, null), await app.Result(parcel.Id).TryGetJsonAsync());
        await new TaskRunner(app).RunAllAsync();

        Assert.Equal("[\"beans\",3]", await app.Result(parcel.Id).GetJsonAsync(blocking: false));
        var handle = app.Result(echo.Id);
        Assert.Equal((true, "\"hi\""), await handle.TryGetJsonAsync());
        Assert.Equal("\"hi\"", await handle.GetJsonAsync(blocking: false));
        Assert.Equal("", handle.TaskName);
        Assert.Equal(echo.Id, handle.ToString());
    }

    [Fact]
    public async Task App_Result_waits_for_the_end_of_a_run_and_throws_its_failure_with_the_stored_task_name()
    {
        var app = new TaskApp { StoreNone = true };
        var touched = Touch.With(app).Enqueue(Counters.NewKey());
        var failed = Boom.With(app).Enqueue("kaboom");
        await new TaskRunner(app).RunAllAsync();

        await app.Result(touched.Id).GetAsync(blocking: false);
        var error = await Assert.ThrowsAsync<TaskFailedException>(async () => await app.Result(failed.Id).GetJsonAsync(blocking: false));
        Assert.Equal(Boom.Name, error.TaskName);
        Assert.Equal("kaboom", error.RemoteMessage);
    }

    [Fact]
    public async Task App_Result_of_an_id_alone_says_whether_the_instance_is_revoked()
    {
        var app = TestApps.Memory();
        var handle = Add.With(app).Enqueue(1, 2);
        await Add.With(app).RevokeAsync();
        Assert.False(await app.Result(handle.Id).IsRevokedAsync());

        await app.RevokeByIdAsync(handle.Id);

        Assert.True(await app.Result(handle.Id).IsRevokedAsync());
    }

    [Fact]
    public async Task A_stored_error_carries_the_retries_left_to_the_reader()
    {
        var app = TestApps.Memory();
        await app.Storage.PutResultAsync("t1", ResultCodec.EncodeError(new TaskError("X", "m", null, Add.Name) { RetriesLeft = 2 }), null);

        Assert.Equal(2, (await Assert.ThrowsAsync<TaskFailedException>(async () => await Add.With(app).Result("t1").GetAsync(blocking: false))).RetriesLeft);
    }

    [Fact]
    public async Task A_task_that_failed_for_good_has_no_retries_left_and_one_cancelled_keeps_those_it_had()
    {
        var app = TestApps.Memory();
        var failed = FailTimes.With(app).Enqueue(Counters.NewKey(), 10);
        var cancelled = Counted.With(app).Enqueue(Counters.NewKey());
        await app.CancelAsync(cancelled.Id);
        await new TaskRunner(app).RunAllAsync();

        Assert.Equal(0, (await Assert.ThrowsAsync<TaskFailedException>(async () => await failed.GetAsync(blocking: false))).RetriesLeft);
        Assert.Equal(3, (await Assert.ThrowsAsync<TaskFailedException>(async () => await cancelled.GetAsync(blocking: false))).RetriesLeft);
    }
}
