using TaskQueue.Testing;
using Xunit;
using static TaskQueue.Redis.Tests.RedisHookTasks;

namespace TaskQueue.Redis.Tests;

/// <summary>Result handles on Redis: what a handle read it keeps until reset; a handle by id alone.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisResultHandleTests(RedisServerFixture redis) : RedisStorageScope(redis)
{
    [Fact]
    public async Task A_handle_keeps_the_value_it_read_though_the_read_deleted_it_from_redis_until_reset()
    {
        await using var app = new TaskApp(Storage);
        var handle = await Triple.With(app).EnqueueAsync(Guid.NewGuid().ToString("N"), 4);
        await new TaskRunner(app).RunNextAsync();

        Assert.Equal(12, await handle.GetAsync(blocking: false));
        Assert.Null(await Storage.ReadResultAsync(handle.Id, preserve: true));
        Assert.Equal(12, await handle.GetAsync(blocking: false));

        handle.Reset();
        await Assert.ThrowsAsync<TaskResultNotReadyException>(async () => await handle.GetAsync(blocking: false));
    }

    [Fact]
    public async Task App_Result_reads_a_value_as_json_and_a_failure_with_its_retries_left_by_id()
    {
        await using var app = new TaskApp(Storage);
        var tripled = await Triple.With(app).EnqueueAsync(Guid.NewGuid().ToString("N"), 7);
        var failed = await Fail.With(app).EnqueueAsync("no");
        var cancelled = await Triple.With(app).EnqueueAsync(Guid.NewGuid().ToString("N"), 1);
        await app.CancelAsync(cancelled.Id);
        await new TaskRunner(app).RunAllAsync();

        Assert.Equal("21", await app.Result(tripled.Id).GetJsonAsync(blocking: false, preserve: true));
        var failure = await Assert.ThrowsAsync<TaskFailedException>(async () => await app.Result(failed.Id).GetJsonAsync(blocking: false));
        Assert.Equal(Fail.Name, failure.TaskName);
        Assert.Equal(0, failure.RetriesLeft);
        Assert.Equal(2, (await Assert.ThrowsAsync<TaskFailedException>(async () => await app.Result(cancelled.Id).GetAsync(blocking: false))).RetriesLeft);
    }
}
