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
    public async Task Help_states_each_default_once()
    {
        await using var worker = await WorkerProcess.StartAsync(["--help"], waitReady: false);
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var help = worker.Dump();
        Assert.DoesNotContain("[default:", help);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(help, "Default 16"));
        Assert.Contains("--max-redeliveries", help);
        Assert.Contains("Exit codes: 0 stopped gracefully, 1 stopped at once by a second signal, 2 bad usage or settings", help);
    }

    [Fact]
    public async Task Without_redis_the_worker_says_what_is_missing_and_exits_2()
    {
        await using var worker = await WorkerProcess.StartAsync([], new Dictionary<string, string> { ["TASKQUEUE_REDIS"] = "" }, waitReady: false);
        Assert.Equal(ExitCodes.Usage, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("No Redis given: pass --redis CONNECTION, set TASKQUEUE_REDIS, or set TaskQueue:Redis in appsettings.json", worker.Dump());
    }

    [Theory]
    [InlineData(new[] { "--redis", "localhost", "-w", "0" }, "--workers must be at least 1")]
    [InlineData(new[] { "--redis", "localhost", "--max-redeliveries", "-1" }, "--max-redeliveries cannot be negative")]
    [InlineData(new[] { "--redis", "localhost", "--no-such-option" }, "--no-such-option")]
    [InlineData(new[] { "--redis", "localhost", "--partitions", "orders=0" }, "--partitions: 'orders=0' is not queue=N with N from 1 to 1024.")]
    [InlineData(new[] { "--redis", "localhost,abortConnect=maybe" }, "TaskQueue:Redis: RedisStorageOptions.ConnectionString is not a valid")]
    public async Task A_bad_option_is_reported_and_exits_2(string[] arguments, string expected)
    {
        await using var worker = await WorkerProcess.StartAsync(arguments, waitReady: false);
        Assert.Equal(ExitCodes.Usage, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(expected, worker.Dump());
    }

    [Fact]
    public async Task A_bad_environment_variable_is_reported_and_exits_2()
    {
        await using var worker = await WorkerProcess.StartAsync(["--redis", "localhost"], new Dictionary<string, string> { ["TASKQUEUE_WORKERS"] = "lots" }, waitReady: false);
        Assert.Equal(ExitCodes.Usage, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("TASKQUEUE_WORKERS: 'lots' is not a whole number of at least 1.", worker.Dump());
    }

    [Fact]
    public async Task Settings_come_from_appsettings_and_the_command_line_wins()
    {
        var directory = Directory.CreateTempSubdirectory("taskqueue-worker-");
        try
        {
            var app = "json" + Guid.NewGuid().ToString("N")[..8];
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "appsettings.json"), $$"""
                {
                  "TaskQueue": {
                    "Redis": "{{redis.ConnectionString}}",
                    "Application": "{{app}}",
                    "Worker": { "Workers": 3, "Queues": [ "alpha", "beta" ], "MaxRedeliveries": 7, "ShutdownGrace": "00:00:12" }
                  }
                }
                """);
            await using var worker = await WorkerProcess.StartAsync(["-w", "2"], new Dictionary<string, string> { ["TASKQUEUE_REDIS"] = "" },
                workingDirectory: directory.FullName);
            var ready = worker.Output.First(l => l.Contains("ready:"));
            Assert.Contains("2 workers", ready);
            Assert.Contains("queues alpha,beta", ready);
            Assert.Contains($"app '{app}'", ready);
            Assert.Contains("grace 12 s", ready);
            Assert.Contains("max redeliveries 7", ready);
            worker.Signal(15);
            Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
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
