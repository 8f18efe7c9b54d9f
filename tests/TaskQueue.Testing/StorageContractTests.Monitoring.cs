using System.Text;
using TaskQueue.Storage;
using Xunit;

namespace TaskQueue.Testing;

public abstract partial class StorageContractTests
{
    // ---- monitoring --------------------------------------------------------------------------

    [Fact]
    public async Task Consumer_descriptions_are_listed_until_removed_or_expired_and_a_second_put_replaces_the_first()
    {
        await Storage.PutConsumerAsync("c1", Encoding.UTF8.GetBytes("one"), TimeSpan.FromMinutes(1));
        await Storage.PutConsumerAsync("c2", Encoding.UTF8.GetBytes("two"), TimeSpan.FromMilliseconds(300));
        await Storage.PutConsumerAsync("c1", Encoding.UTF8.GetBytes("one again"), TimeSpan.FromMinutes(1));
        var now = await Storage.GetTimeAsync();

        var listed = await Storage.ListConsumersAsync();
        Assert.Equal([("c1", "one again"), ("c2", "two")], listed.Select(c => (c.ConsumerId, Encoding.UTF8.GetString(c.Description))));
        Assert.InRange(listed[0].Expires, now.AddSeconds(50), now.AddSeconds(61));

        await Eventually.UntilAsync(async () => (await Storage.ListConsumersAsync()).Count == 1, "c2 to expire", TimeSpan.FromSeconds(10));
        await Storage.RemoveConsumerAsync("c1");
        Assert.Empty(await Storage.ListConsumersAsync());
        await Storage.RemoveConsumerAsync("c1"); // twice is harmless
    }

    [Fact]
    public async Task Stats_add_up_in_the_current_minute_and_hour_and_read_back_by_bucket()
    {
        await Storage.AddStatsAsync([new StatCount("started|q|a", 2), new StatCount("started|q|b", 1)]);
        await Storage.AddStatsAsync([new StatCount("started|q|a", 3), new StatCount("failed|q|a", 1)]);
        await Storage.AddStatsAsync([]);

        var window = await Storage.ReadStatsAsync(2, 2);
        var minute = window.Minutes.Last();
        Assert.True(window.Minutes.Count is 1 or 2, "the counts went to one minute, or two if the minute turned between the calls");
        Assert.Equal(5, window.Minutes.Sum(m => m.Counts.GetValueOrDefault("started|q|a")));
        Assert.Equal(1, window.Minutes.Sum(m => m.Counts.GetValueOrDefault("started|q|b")));
        Assert.Equal(1, window.Minutes.Sum(m => m.Counts.GetValueOrDefault("failed|q|a")));
        Assert.Equal(5, window.Hours.Sum(h => h.Counts.GetValueOrDefault("started|q|a")));
        Assert.Equal(0, minute.Start.Ticks % TimeSpan.TicksPerMinute);
        Assert.InRange(window.Now - minute.Start, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.Equal(0, window.Hours.Last().Start.Ticks % TimeSpan.TicksPerHour);
        Assert.Empty((await Storage.ReadStatsAsync(0, 0)).Minutes);
    }

    [Fact]
    public async Task A_paused_periodic_task_records_its_occurrences_without_queueing_them_until_resumed()
    {
        await Storage.SetPeriodicPausedAsync("tick", true);
        await Storage.SetPeriodicPausedAsync("other", true);
        await Storage.SetPeriodicPausedAsync("other", false);
        Assert.Equal(["tick"], await Storage.PausedPeriodicAsync());

        Assert.False(await Storage.FirePeriodicAsync("tick", T0, T0, "q", Encoding.UTF8.GetBytes("paused run")));
        Assert.Equal(T0, await Storage.GetPeriodicLastFiredAsync("tick"));
        Assert.Empty(await Storage.PendingAsync("q", 10));

        await Storage.SetPeriodicPausedAsync("tick", false);
        Assert.Empty(await Storage.PausedPeriodicAsync());
        Assert.False(await Storage.FirePeriodicAsync("tick", T0, T0, "q", Encoding.UTF8.GetBytes("again"))); // already recorded
        Assert.True(await Storage.FirePeriodicAsync("tick", T0.AddMinutes(1), T0.AddMinutes(1), "q", Encoding.UTF8.GetBytes("next")));
        Assert.Equal(["next"], (await Storage.PendingAsync("q", 10)).Select(b => Encoding.UTF8.GetString(b)));
    }
}
