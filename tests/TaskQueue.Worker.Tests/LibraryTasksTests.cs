using Shop;
using TaskQueue.Redis;
using TaskQueue.Testing;

namespace TaskQueue.Worker.Tests;

/// <summary>
/// samples/Worker under the JIT: its tasks live in samples/SampleTasks, a library its code never
/// touches, and its generated module initializer registers them (no TaskRegistry.Include).
/// </summary>
[Collection(WorkerCollection.Name)]
public sealed class LibraryTasksTests(RedisServerFixture redis)
{
    [Fact]
    public async Task A_worker_runs_tasks_of_a_library_it_only_references()
    {
        var dll = Path.Combine(Repository.Root, "samples", "Worker", "bin", Configuration, "net10.0", "taskqueue-sample-worker.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");
        var application = "lib" + Guid.NewGuid().ToString("N")[..8];
        await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = redis.ConnectionString, ApplicationName = application });
        await using var app = new TaskApp(storage);

        await using var worker = await WorkerProcess.StartAsync("dotnet", ["exec", dll, "--redis", redis.ConnectionString, "--app", application]);
        var ready = worker.Output.First(l => l.Contains("ready:"));
        Assert.Contains("Shop.OrderTasks.Square", ready);
        Assert.Equal(49L, await Square.With(app).Enqueue(7).GetAsync(timeout: TimeSpan.FromSeconds(20)));
        worker.Signal(15);
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
}
