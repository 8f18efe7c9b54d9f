using MessagePack;
using TaskQueue.Tests.Tasks;

namespace TaskQueue.Tests;

public sealed class ClientTests
{
    [Fact]
    public async Task Enqueue_puts_one_message_on_the_tasks_queue()
    {
        var app = TestApps.Memory();
        var r = await Add.With(app).EnqueueAsync(2, 3);
        var message = Assert.Single(await app.PendingAsync());
        Assert.Equal(r.Id, message.Id);
        Assert.Equal("TaskQueue.Tests.Tasks.TestTasks.Add", message.Name);
        Assert.Equal(Add.Name, message.Name);
        var reader = new MessagePackReader(message.Arguments);
        Assert.Equal(2, reader.ReadArrayHeader());
        Assert.Equal(2, reader.ReadInt32());
        Assert.Equal(3, reader.ReadInt32());
    }

    [Fact]
    public async Task A_task_with_its_own_name_and_queue_uses_them()
    {
        var app = TestApps.Memory();
        Renamed.With(app).Enqueue(1);
        Assert.Equal("tests.renamed", Renamed.Name);
        Assert.Equal("tests.renamed", Assert.Single(await app.PendingAsync("other")).Name);
        Assert.Empty(await app.PendingAsync());
    }

    [Fact]
    public async Task Retries_come_from_the_attribute_unless_overridden_per_call()
    {
        var app = TestApps.Memory();
        FailTimes.With(app).Enqueue("k", 0);
        FailTimes.With(app).Enqueue("k", 0, retries: 5, retryDelay: TimeSpan.FromSeconds(9));
        var pending = await app.PendingAsync();
        Assert.Equal((2, TimeSpan.Zero), (pending[0].Retries, pending[0].RetryDelay));
        Assert.Equal((5, TimeSpan.FromSeconds(9)), (pending[1].Retries, pending[1].RetryDelay));
    }

    [Fact]
    public async Task Schedule_with_a_delay_lands_in_the_schedule_at_now_plus_delay()
    {
        var (app, time) = TestApps.WithFakeTime();
        var r = Add.With(app).Schedule(1, 2, delay: TimeSpan.FromHours(1));
        var scheduled = Assert.Single(await app.ScheduledAsync());
        Assert.Equal(r.Id, scheduled.Message.Id);
        Assert.Equal(time.GetUtcNow().AddHours(1), scheduled.Eta);
        Assert.Equal("default", scheduled.Queue);
        Assert.Empty(await app.PendingAsync());
    }

    [Fact]
    public async Task Schedule_with_an_eta_lands_in_the_schedule_at_the_eta()
    {
        var app = TestApps.Memory();
        var eta = new DateTimeOffset(2031, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));
        await Add.With(app).ScheduleAsync(1, 2, eta: eta);
        Assert.Equal(eta, Assert.Single(await app.ScheduledAsync()).Eta);
    }

    [Fact]
    public void Schedule_needs_exactly_one_of_delay_and_eta()
    {
        var add = Add.With(TestApps.Memory());
        Assert.Contains("neither was given", Assert.Throws<ArgumentException>(() => add.Schedule(1, 2)).Message);
        Assert.Contains("not both", Assert.Throws<ArgumentException>(() => add.Schedule(1, 2, delay: TimeSpan.FromSeconds(1), eta: DateTimeOffset.UtcNow)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => add.Schedule(1, 2, delay: TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Stored_results_can_be_listed_without_reading_them_away()
    {
        var app = new TaskApp(new Storage.MemoryStorage()) { Eager = true };
        var ok = Add.With(app).Enqueue(1, 2);
        var failed = Boom.With(app).Enqueue("no");
        var results = await app.ResultsAsync();
        Assert.Equal(2, results.Count);
        Assert.False(results[ok.Id].IsError);
        Assert.Equal("no", results[failed.Id].Error!.Message);
        Assert.Single(await app.ResultsAsync(limit: 1));
        Assert.Equal(3, ok.Get(blocking: false));
    }

    [Fact]
    public async Task Pending_and_scheduled_listings_respect_their_limits()
    {
        var app = TestApps.Memory();
        for (int i = 0; i < 5; i++) Add.With(app).Enqueue(i, i);
        for (int i = 0; i < 5; i++) Add.With(app).Schedule(i, i, delay: TimeSpan.FromHours(i + 1));
        Assert.Equal(3, (await app.PendingAsync(limit: 3)).Count);
        var scheduled = await app.ScheduledAsync(limit: 2);
        Assert.Equal(2, scheduled.Count);
        Assert.True(scheduled[0].Eta < scheduled[1].Eta);
    }

    [Fact]
    public void Negative_retries_are_rejected_at_the_call()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Add.With(TestApps.Memory()).Enqueue(1, 2, retries: -1));

    [Fact]
    public async Task EnqueueMany_enqueues_in_order_and_returns_a_handle_each()
    {
        var app = TestApps.Memory();
        var handles = await Add.With(app).EnqueueManyAsync([(1, 2), (3, 4), (5, 6)]);
        var pending = await app.PendingAsync();
        Assert.Equal(handles.Select(h => h.Id), pending.Select(p => p.Id));
    }

    [Fact]
    public async Task CallLocal_runs_in_process_and_enqueues_nothing()
    {
        var app = TestApps.Memory();
        using (app.MakeCurrent())
        {
            Assert.Equal(5, Add.CallLocal(2, 3));
            Assert.Empty(await app.PendingAsync());
        }
    }

    [Fact]
    public async Task The_stubs_use_the_app_made_current_for_the_async_flow()
    {
        var outer = TestApps.Memory();
        var inner = TestApps.Memory();
        using (outer.MakeCurrent())
        {
            Assert.Same(outer, TaskApp.Current);
            using (inner.MakeCurrent())
            {
                Assert.Same(inner, Add.Enqueue(1, 1).App);
            }
            Assert.Same(outer, Add.Enqueue(1, 1).App);
        }
        Assert.Single(await outer.PendingAsync());
        Assert.Single(await inner.PendingAsync());
    }

    [Fact]
    public async Task An_ambient_app_flows_into_tasks_started_inside_its_scope()
    {
        var app = TestApps.Memory();
        using (app.MakeCurrent())
        {
            var seen = await Task.Run(() => TaskApp.Current);
            Assert.Same(app, seen);
        }
    }

    [Fact]
    public async Task A_delay_counts_from_the_storages_clock_not_the_callers()
    {
        var storageClock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var fastClient = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(storageClock.GetUtcNow().AddMinutes(10));
        var app = new TaskApp(new TaskQueue.Storage.MemoryStorage(storageClock), fastClient);

        await Add.With(app).ScheduleAsync(1, 2, delay: TimeSpan.FromSeconds(1));

        var scheduled = Assert.Single(await app.ScheduledAsync());
        Assert.Equal(storageClock.GetUtcNow().AddSeconds(1), scheduled.Eta);
        Assert.Equal(scheduled.Eta, scheduled.Message.Eta);
    }
}
