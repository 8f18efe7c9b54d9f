using System.Text.Json.Nodes;
using TaskQueue.Generator.Tests.Tasks;

namespace TaskQueue.Generator.Tests;

/// <summary>
/// The recurring-task members of the test assembly's own <c>[Task]</c> stubs (sisy's API) on an
/// in-memory app: the records they make, with the arguments the stubs encode.
/// </summary>
public sealed class RecurringStubTests : IAsyncLifetime
{
    private readonly TaskApp app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>The arguments <c>Enqueue</c> writes for the same call.</summary>
    private async Task<byte[]> EnqueuedArguments(Func<TaskApp, string> enqueue)
    {
        await using var queueOnly = new TaskApp();
        string id = enqueue(queueOnly);
        var message = Assert.Single(await queueOnly.PendingAsync(), m => m.Id == id);
        return message.Arguments.ToArray();
    }

    [Fact]
    public async Task Recurring_makes_an_unsaved_record_with_the_options_and_the_encoded_arguments()
    {
        RecurringTask record;
        using (app.MakeCurrent())
        {
            record = Add.Recurring(5, schedule: "*/10 * * * * *", label: "l", iterations: 3, allowOverlap: false);
        }

        Assert.False(record.IsSaved);
        Assert.Equal(Add.Name, record.TaskName);
        Assert.Equal("l", record.Label);
        Assert.Equal("*/10 * * * * *", record.Schedule);
        Assert.Equal("UTC", record.TimeZone);
        Assert.Equal(3, record.Iterations);
        Assert.False(record.AllowOverlap);
        Assert.True(record.Enabled);
        Assert.True(record.WaitForSchedule);
        Assert.Null(record.StartRunning);
        Assert.Empty(record.UserData);
        Assert.Equal(await EnqueuedArguments(a => Add.With(a).Enqueue(5).Id), record.Arguments.ToArray());
        Assert.Empty(await app.Recurring.ListAsync());

        await record.SaveAsync();
        Assert.Equal(record.Id, Assert.Single(await app.Recurring.ListAsync()).Id);
    }

    [Fact]
    public async Task Recurring_passes_every_option_through()
    {
        var start = DateTimeOffset.Parse("2030-01-01T00:00:00Z");
        var record = Echo.With(app).Recurring("hi", schedule: "0 3 * * *", label: "echo", timeZone: "Europe/Berlin",
            userdata: new JsonObject { ["k"] = 1 }, enabled: false, startRunning: start, endRunning: start.AddDays(1), waitForSchedule: false);

        Assert.Equal(("0 3 * * *", "Europe/Berlin", false, false), (record.Schedule, record.TimeZone, record.Enabled, record.WaitForSchedule));
        Assert.Equal((start, start.AddDays(1)), (record.StartRunning, record.EndRunning));
        Assert.Equal(1, (int)record.UserData["k"]!);
        Assert.Equal(0, record.Iterations);
        Assert.True(record.AllowOverlap);
        Assert.Equal(await EnqueuedArguments(a => Echo.With(a).Enqueue("hi").Id), record.Arguments.ToArray());
    }

    [Fact]
    public async Task RunOnceAsync_saves_a_record_the_app_lists()
    {
        RecurringTask record;
        using (app.MakeCurrent())
        {
            record = await Add.RunOnceAsync(5);
        }

        Assert.True(record.IsSaved);
        var listed = Assert.Single(await app.Recurring.ListAsync(), r => r.Id == record.Id);
        Assert.Equal(Add.Name, listed.TaskName);
        Assert.Equal(1, listed.Iterations);
        Assert.StartsWith(Add.Name + "#", listed.Label);
        Assert.Equal(await EnqueuedArguments(a => Add.With(a).Enqueue(5).Id), listed.Arguments.ToArray());
    }

    [Fact]
    public async Task RunIterations_saves_a_record_with_its_schedule_and_label()
    {
        var bound = Add.With(app);

        var record = await bound.RunIterationsAsync(1, 2, iterations: 4, label: "four", schedule: "0 * * * * *", runImmediately: true);
        var sync = bound.RunIterations(3, label: "sync", delayUntil: DateTimeOffset.Parse("2030-01-01T00:00:00Z"));
        var once = bound.RunOnce(7, userdata: new JsonObject { ["who"] = "me" });

        var found = await app.Recurring.FindAsync("four");
        Assert.NotNull(found);
        Assert.Equal((record.Id, 4, "0 * * * * *", false), (found.Id, found.Iterations, found.Schedule, found.WaitForSchedule));
        Assert.Equal(await EnqueuedArguments(a => Add.With(a).Enqueue(1, 2).Id), found.Arguments.ToArray());
        Assert.Equal((RecurringTasks.EverySecond, 1), (sync.Schedule, sync.Iterations));
        Assert.Equal(DateTimeOffset.Parse("2030-01-01T00:00:00Z"), sync.StartRunning);
        Assert.Equal("me", (string)once.UserData["who"]!);
        Assert.Equal(3, (await app.Recurring.ListAsync()).Count);
    }

    [Fact]
    public void An_invalid_schedule_is_an_ArgumentException_with_the_reason()
    {
        var error = Assert.Throws<ArgumentException>(() => Add.With(app).Recurring(1, schedule: "61 * * * *"));

        Assert.Equal("schedule", error.ParamName);
        Assert.StartsWith("'61 * * * *' is not a valid cron expression:", error.Message);
        Assert.Contains("Minutes", error.Message);
    }

    [Fact]
    public void A_default_bound_struct_says_how_to_make_one()
        => Assert.Throws<InvalidOperationException>(() => default(Add.Bound).Recurring(1));
}
