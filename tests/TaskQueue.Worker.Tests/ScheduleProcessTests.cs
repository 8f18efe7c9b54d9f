using System.Text.RegularExpressions;
using TaskQueue.Testing;
using TaskQueue.Worker.TestHost;

namespace TaskQueue.Worker.Tests;

/// <summary>Periodic and recurring tasks across worker processes on a real Redis, in real time.</summary>
[Collection(WorkerCollection.Name)]
public sealed partial class ScheduleProcessTests(RedisServerFixture redis)
{
    private Task<Scenario> NewScenario() => Scenario.CreateAsync(redis.ConnectionString, redis.Connection);

    /// <summary>Occurrence second → how many distinct task instances were enqueued for it.</summary>
    private static async Task<SortedDictionary<long, long>> TicksAsync(Scenario s)
    {
        var seconds = await s.Db.SortedSetRangeByScoreAsync(s.Key("ticks"));
        var result = new SortedDictionary<long, long>();
        foreach (var second in seconds) result[(long)second] = await s.Db.SetLengthAsync(s.Key($"tick:{(long)second}"));
        return result;
    }

    private static void AssertOncePerSecond(SortedDictionary<long, long> ticks, long from, long to)
    {
        var duplicates = ticks.Where(t => t.Value > 1).Select(t => t.Key).ToList();
        Assert.True(duplicates.Count == 0, $"occurrences enqueued more than once: {string.Join(", ", duplicates)}");
        var missing = Enumerable.Range(0, (int)(to - from + 1)).Select(i => from + i).Where(sec => !ticks.ContainsKey(sec)).ToList();
        Assert.True(missing.Count <= 1, $"occurrences missed between {from} and {to}: {string.Join(", ", missing)}");
    }

    [GeneratedRegex(@"fired the occurrence at (\S+)")]
    private static partial Regex FiredLine();

    [Fact]
    public async Task An_every_second_periodic_task_runs_once_per_tick_with_three_workers_and_survives_killing_the_last_firer()
    {
        await using var s = await NewScenario();
        var workers = new[] { await s.StartWorkerAsync("-w", "2", "-v"), await s.StartWorkerAsync("-w", "2", "-v"), await s.StartWorkerAsync("-w", "2", "-v") };

        await Eventually.UntilAsync(async () => (await TicksAsync(s)).Count >= 12, "12 ticks", TimeSpan.FromSeconds(30));
        var ticks = await TicksAsync(s);
        // From the first full second after every worker was up, to the last one recorded.
        long first = ticks.Keys.First() + 1, last = ticks.Keys.Last();
        Assert.True(last - first >= 10, $"ticks span {first}..{last}");
        AssertOncePerSecond(ticks, first, last);

        // Kill the worker whose ticker fired the latest occurrence it logged.
        var firer = workers.OrderByDescending(w => w.Output.Select(l => FiredLine().Match(l)).Where(m => m.Success)
            .Select(m => DateTimeOffset.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(DateTimeOffset.MinValue).Max()).First();
        Assert.Contains(firer.Output, l => FiredLine().IsMatch(l));
        firer.KillHard();
        long killedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await Eventually.UntilAsync(async () => (await TicksAsync(s)).Keys.Last() >= killedAt + 5, "5 more ticks after the kill", TimeSpan.FromSeconds(30));
        AssertOncePerSecond(await TicksAsync(s), first, killedAt + 5);
    }

    [Fact]
    public async Task No_periodic_turns_the_ticker_off()
    {
        await using var s = await NewScenario();
        var quiet = await s.StartWorkerAsync("-w", "1", "--no-periodic");
        // A recurring run proves the worker is up and polling before the absence of ticks is judged.
        await Exclusive.With(s.App).RunOnceAsync(1);
        await Eventually.UntilAsync(async () => await s.Db.ListLengthAsync(s.Key("exclusive:starts")) == 1, "the worker to run a recurring task");
        var deadline = DateTimeOffset.UtcNow.AddSeconds(2.5);
        while (DateTimeOffset.UtcNow < deadline)
        {
            Assert.Empty(await TicksAsync(s));
            await Task.Delay(250);
        }

        await s.StartWorkerAsync("-w", "1");
        await Eventually.UntilAsync(async () => (await TicksAsync(s)).Count >= 2, "ticks from a worker without --no-periodic");
        Assert.False(quiet.HasExited, quiet.Dump());
    }

    [Fact]
    public async Task A_recurring_task_without_overlap_never_runs_twice_at_once_across_three_workers()
    {
        await using var s = await NewScenario();
        for (int i = 0; i < 3; i++) await s.StartWorkerAsync("-w", "2");
        var record = Exclusive.With(s.App).Recurring(2500, schedule: "* * * * * *", label: "exclusive", allowOverlap: false);
        await record.SaveAsync();

        await Eventually.UntilAsync(async () => await s.Db.ListLengthAsync(s.Key("exclusive:starts")) >= 4, "four runs", TimeSpan.FromSeconds(40));

        Assert.Equal(0, await s.Db.ListLengthAsync(s.Key("exclusive:overlaps")));
        var starts = (await s.Db.ListRangeAsync(s.Key("exclusive:starts"))).Select(v => (long)v).ToList();
        for (int i = 1; i < starts.Count; i++)
        {
            Assert.True(starts[i] - starts[i - 1] >= 2400, $"runs {i - 1} and {i} started {starts[i] - starts[i - 1]} ms apart");
        }
        await record.ReloadAsync();
        Assert.True(record.RunCount >= 4);
    }
}
