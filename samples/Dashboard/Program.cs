using Kitchen;
using TaskQueue;

var builder = WebApplication.CreateBuilder(args);

// In memory unless TaskQueue:Redis is set (appsettings.json, TaskQueue__Redis=localhost:6379, or --TaskQueue:Redis=...).
builder.Services.AddTaskQueue();
builder.Services.AddTaskQueueWorker();            // runs the tasks in this process (TaskQueue:Worker in appsettings.json)
builder.Services.AddHostedService<KitchenOrders>();
// Requests from other machines must satisfy this policy. The sample has no sign-in, so they get 401;
// an app would add its authentication (cookies, OpenID Connect, ...) and give its operators the role.
builder.Services.AddAuthorization(o => o.AddPolicy("ops", p => p.RequireRole("ops")));

var app = builder.Build();

app.MapTaskQueueDashboard("/taskqueue", options =>
{
    options.Title = "Kitchen";
    options.AuthorizationPolicy = "ops";   // what a request from another machine must satisfy; loopback needs nothing
});
app.MapGet("/", () => Results.Redirect("/taskqueue/"));

// A recurring record declared at start-up: saved with replaceExisting, so a restart does not add a second one.
var tasks = app.Services.GetRequiredService<TaskApp>();
await CountStock.With(tasks).Recurring("flour", schedule: "*/15 * * * * *", label: "count flour").SaveAsync(replaceExisting: true);

app.Run();
