using TaskQueue.Testing;
namespace TaskQueue.Worker.Tests;

[Collection(WorkerCollection.Name)]
public sealed class WorkerCommandTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Help_explains_every_option()
    {
        await using var worker = await WorkerProcess.StartAsync(["--help"], waitReady: false);
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var help = worker.Dump();
        foreach (var option in new[] { "--workers", "-w", "--queue", "--redis", "--no-periodic", "-n", "--name", "--verbose", "--quiet", "--grace", "TASKQUEUE_REDIS" })
        {
            Assert.Contains(option, help);
        }
    }

    [Fact]
    public async Task Without_redis_the_worker_says_what_is_missing()
    {
        await using var worker = await WorkerProcess.StartAsync([], new Dictionary<string, string> { ["TASKQUEUE_REDIS"] = "" }, waitReady: false);
        Assert.NotEqual(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("--redis", worker.Dump());
    }

    [Fact]
    public async Task A_bad_option_value_is_reported()
    {
        await using var worker = await WorkerProcess.StartAsync(["--redis", "localhost", "-w", "0"], waitReady: false);
        Assert.NotEqual(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("--workers must be at least 1", worker.Dump());
    }

    [Fact]
    public async Task Settings_can_come_from_the_environment()
    {
        var app = "env" + Guid.NewGuid().ToString("N")[..8];
        await using var worker = await WorkerProcess.StartAsync([], new Dictionary<string, string>
        {
            ["TASKQUEUE_REDIS"] = redis.ConnectionString,
            ["TASKQUEUE_APP"] = app,
            ["TASKQUEUE_WORKERS"] = "3",
            ["TASKQUEUE_QUEUES"] = "high, low",
            ["TASKQUEUE_NAME"] = "from-env",
        });
        var ready = worker.Output.First(l => l.Contains("ready:"));
        Assert.Contains("from-env", ready);
        Assert.Contains("3 workers", ready);
        Assert.Contains("queues high,low", ready);
        Assert.Contains($"app '{app}'", ready);
        Assert.Contains("TaskQueue.Worker.TestHost.ProbeTasks.Tracked", ready);
        worker.Signal(15);
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
