using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PackageApp;

// Usage: PackageApp <redis connection string>
// Enqueues a task with a record argument through its generated stub, lets the hosted worker run it,
// and reads the result back. Exit code 0 when the invoice is right.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: PackageApp <redis connection string>");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Services.AddTaskQueue(options =>
{
    options.UseRedis(args[0]);
    options.Application = "package-app-" + Guid.NewGuid().ToString("N");
});
builder.Services.AddTaskQueueWorker(options => options.Workers = 2);
builder.Services.AddSingleton<Pricing>();
using var host = builder.Build();
await host.StartAsync();

var order = new Order("A-17", [new Line("beans", 3, 1.25m), new Line("rice", 2, 0.5m)]);
var pending = await PriceOrder.EnqueueAsync(order);
var invoice = await pending.GetAsync(timeout: TimeSpan.FromSeconds(30));
Console.WriteLine($"invoice for {invoice.OrderId}: {invoice.Total} (priced by {invoice.PricedBy})");

await host.StopAsync();
return invoice == new Invoice("A-17", 4.75m, "PackageApp.OrderTasks.PriceOrder") ? 0 : 1;
