using Kitchen;
using TaskQueue;

var builder = WebApplication.CreateBuilder(args);

// In memory unless TaskQueue:Redis is set (appsettings.json, TaskQueue__Redis=localhost:6379, or --TaskQueue:Redis=...).
builder.Services.AddTaskQueue();
builder.Services.AddTaskQueueWorker();            // runs the tasks in this process (TaskQueue:Worker in appsettings.json)
builder.Services.AddHostedService<KitchenOrders>();

var app = builder.Build();

// Loopback only, as is the default: to serve other machines, name a policy with
// builder.Services.AddAuthorization(o => o.AddPolicy("ops", p => p.RequireRole("ops"))) and o.AuthorizationPolicy = "ops".
app.MapTaskQueueDashboard("/taskqueue", options => options.Title = "Kitchen");
app.MapGet("/", () => Results.Redirect("/taskqueue/"));

// A recurring record declared at start-up: saved with replaceExisting, so a restart does not add a second one.
var tasks = app.Services.GetRequiredService<TaskApp>();
await CountStock.With(tasks).Recurring("flour", schedule: "*/15 * * * * *", label: "count flour").SaveAsync(replaceExisting: true);

app.Run();

/// <summary>The entry point, visible to tests.</summary>
public partial class Program;
