using Shop.Web;
using TaskQueue;

var builder = WebApplication.CreateBuilder(args);

// Tasks live in Redis ("TaskQueue:Redis" in appsettings.json or the environment); this process also runs them.
builder.Services.AddTaskQueue();                                      // options from "TaskQueue" in appsettings.json
builder.Services.AddTaskQueueWorker(options => options.Workers = 4);  // and run the tasks in this process too
builder.Services.AddHealthChecks().AddTaskQueue();
builder.Services.AddSingleton<IWarehouse, Warehouse>();

var app = builder.Build();

// Enqueue from a request: the stub uses the app that AddTaskQueue registered, and the request's trace travels with the task.
app.MapPost("/orders", async (Order order, CancellationToken cancellationToken) =>
{
    var shipping = await ShipOrder.EnqueueAsync(order, cancellationToken: cancellationToken);
    return Results.Accepted($"/orders/{shipping.Id}", new { taskId = shipping.Id });
});

// Read the result back: 200 with the receipt once the worker has run the task, 202 until then.
app.MapGet("/orders/{taskId}", async (string taskId, CancellationToken cancellationToken) =>
{
    var (ready, receipt) = await ShipOrder.Result(taskId).TryGetAsync(preserve: true, cancellationToken);
    return ready ? Results.Ok(receipt) : Results.Accepted();
});

app.MapHealthChecks("/health");

app.Run();

/// <summary>The entry point, visible to tests (WebApplicationFactory).</summary>
public partial class Program;
