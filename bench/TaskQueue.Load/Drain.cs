using TaskQueue.Consumer;
using TaskQueue.Redis;

namespace TaskQueue.Load;

/// <summary>The child process of the two-process drain: waits for "go", runs a consumer until the queue is empty, exits.</summary>
internal static class Drain
{
    public static async Task<int> RunWorkerProcessAsync(LoadOptions options)
    {
        var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = options.Redis!, ApplicationName = options.App! });
        await using var app = new TaskApp(storage);
        var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(options.Redis!);
        var go = $"{{tq:{options.App}}}:load-go";
        Console.WriteLine("ready");
        while (!await mux.GetDatabase().KeyExistsAsync(go)) await Task.Delay(1);
        await using var consumer = new TaskConsumer(app, new ConsumerOptions { Workers = options.Workers, BatchSize = 64, RunScheduler = false, RunPeriodic = false, RunRecurring = false });
        consumer.Start();
        while (await storage.QueueLengthAsync("default") > 0 || await storage.InFlightCountAsync() > 0) await Task.Delay(5);
        await consumer.StopAsync();
        return 0;
    }
}
