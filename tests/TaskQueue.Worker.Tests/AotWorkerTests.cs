using TaskQueue.Testing;
using System.Diagnostics;
using Shop;
using TaskQueue.Redis;
using Xunit.Abstractions;

namespace TaskQueue.Worker.Tests;

/// <summary>
/// The sample worker published as a native AOT binary, run against Redis with tasks whose
/// signatures cover every kind of type that travels. ./test.sh publishes it and passes the path in
/// TASKQUEUE_AOT_WORKER; run on its own, the test publishes it first (about a minute).
/// </summary>
[Collection(WorkerCollection.Name)]
public sealed class AotWorkerTests(RedisServerFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task The_native_worker_runs_a_thousand_tasks_of_every_shape_and_stops_cleanly_on_SIGTERM()
    {
        var binary = await NativeWorkerAsync();
        var application = "aot" + Guid.NewGuid().ToString("N")[..8];
        await using var app = new TaskApp(await RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = redis.ConnectionString, ApplicationName = application }));

        var clock = Stopwatch.StartNew();
        await using var worker = await WorkerProcess.StartAsync(binary, ["--redis", redis.ConnectionString, "--app", application, "-w", "4", "--queue", "orders", "--queue", "default"]);
        output.WriteLine($"native worker ready after {clock.ElapsedMilliseconds} ms (including process start)");

        var orders = Enumerable.Range(0, 800).Select(MakeOrder).ToList();
        var invoices = await PriceOrder.With(app).EnqueueManyAsync(orders);
        var squares = await Square.With(app).EnqueueManyAsync(Enumerable.Range(-50, 100));
        var rejections = new List<TaskResult>();
        for (int i = 0; i < 100; i++) rejections.Add(await RejectOrder.With(app).EnqueueAsync(orders[i].Id, $"reason {i}"));

        for (int i = 0; i < orders.Count; i++)
        {
            var expected = await PriceOrder.CallLocal(orders[i], CancellationToken.None);
            Assert.Equal(expected, await invoices[i].GetAsync(timeout: TimeSpan.FromSeconds(60)));
        }
        for (int i = 0; i < squares.Count; i++) Assert.Equal((long)(i - 50) * (i - 50), await squares[i].GetAsync(timeout: TimeSpan.FromSeconds(60)));
        for (int i = 0; i < rejections.Count; i++)
        {
            var e = await Assert.ThrowsAsync<TaskFailedException>(async () => await rejections[i].GetAsync(timeout: TimeSpan.FromSeconds(60)));
            Assert.Equal("System.InvalidOperationException", e.RemoteType);
            Assert.Equal($"order {orders[i].Id} rejected: reason {i}", e.RemoteMessage);
            Assert.Contains(nameof(OrderTasks.RejectOrder), e.RemoteStackTrace);
        }
        Assert.Empty(await app.DeadLettersAsync());

        worker.Signal(15);
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    private static Order MakeOrder(int i) => new(
        Guid.NewGuid(),
        $"customer {i}",
        new Address($"{i} Loop Road", i % 2 == 0 ? "Cambridge" : "Zürich", i % 3 == 0 ? null : $"Z{i}"),
        Enumerable.Range(1, 1 + i % 4).Select(n => new Line($"sku-{n}", n * (1 + i % 3), 0.01m * (i + n) + 1.005m)).ToList(),
        (Priority)(i % 3),
        new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.FromMinutes(i % 2 == 0 ? 60 : -330)).AddMinutes(i),
        new Dictionary<string, string> { ["index"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["ü"] = "✓" },
        i % 5 == 0 ? [] : [i % 7, 1],
        i % 4 == 0 ? null : TimeSpan.FromMinutes(i));

    private static async Task<string> NativeWorkerAsync()
    {
        var given = Environment.GetEnvironmentVariable("TASKQUEUE_AOT_WORKER");
        if (!string.IsNullOrWhiteSpace(given))
        {
            Assert.True(File.Exists(given), $"TASKQUEUE_AOT_WORKER names {given}, which does not exist");
            return given;
        }
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "TaskQueue.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("TaskQueue.sln not found");
        var outputDir = Path.Combine(Path.GetTempPath(), "taskqueue-aot-worker");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "publish", Path.Combine(root, "samples", "Worker"), "-c", "Release", "-r", "linux-x64", "-o", outputDir, "-nologo" }) info.ArgumentList.Add(a);
        using var publish = Process.Start(info)!;
        var text = await publish.StandardOutput.ReadToEndAsync();
        await publish.WaitForExitAsync();
        Assert.True(publish.ExitCode == 0, "dotnet publish failed:\n" + text);
        return Path.Combine(outputDir, "taskqueue-sample-worker");
    }
}
