using Shop;
using TaskQueue;
using TaskQueue.Redis;

// Usage: dotnet run --project samples/Producer -- [redis connection string] [count]   (TASKQUEUE_APP names the app; default "default")
var redis = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("TASKQUEUE_REDIS") ?? "localhost:6379";
int count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;

TaskApp.Default = new TaskApp(await RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = redis, ApplicationName = Environment.GetEnvironmentVariable("TASKQUEUE_APP") ?? "default" }));

var order = new Order(Guid.NewGuid(), "Ada", new Address("1 Loop Rd", "Cambridge", null),
    [new Line("bean-1kg", 3, 4.20m), new Line("grinder", 1, 89.99m)], Priority.Urgent, DateTimeOffset.UtcNow,
    new() { ["channel"] = "web" }, [5], TimeSpan.FromHours(2));
var invoice = await PriceOrder.EnqueueAsync(order);
Console.WriteLine($"Enqueued {PriceOrder.Name} as {invoice.Id}; waiting for a worker...");
var priced = await invoice.GetAsync(timeout: TimeSpan.FromSeconds(30));
Console.WriteLine($"Invoice: {priced.Total} for {priced.Items} items ({priced.Summary})");

var squares = await Square.EnqueueManyAsync(Enumerable.Range(1, count));
long sum = 0;
foreach (var square in squares) sum += await square.GetAsync(timeout: TimeSpan.FromSeconds(30));
Console.WriteLine($"Sum of the first {count} squares: {sum}");

try
{
    await RejectOrder.Enqueue(order.Id, "out of beans").GetAsync(timeout: TimeSpan.FromSeconds(30));
}
catch (TaskFailedException e)
{
    Console.WriteLine($"RejectOrder failed in the worker: {e.RemoteType}: {e.RemoteMessage}");
}
