using TaskQueue.Testing;
using TaskQueue.Worker.TestHost;

namespace TaskQueue.Worker.Tests;

/// <summary>Task locks and rate limits across worker processes on a real Redis, with a holder killed mid-run.</summary>
[Collection(WorkerCollection.Name)]
public sealed class LimitProcessTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private Task<Scenario> NewScenario() => Scenario.CreateAsync(redis.ConnectionString, redis.Connection);

    /// <summary>The starts recorded as <c>n|pid|Unix ms</c> under <paramref name="name"/>.</summary>
    private static async Task<List<(int N, int Pid, long At)>> StartsAsync(Scenario s, string name)
    {
        var entries = await s.Db.ListRangeAsync(s.Key(name));
        return entries.Select(e => ((string)e!).Split('|')).Select(p => (int.Parse(p[0]), int.Parse(p[1]), long.Parse(p[2]))).ToList();
    }

    [Fact]
    public async Task A_locked_task_whose_holder_is_killed_mid_run_runs_in_the_other_process_after_the_lock_expires_and_never_twice_at_once()
    {
        await using var s = await NewScenario();
        var a = await s.StartWorkerAsync("-w", "2", "--name", "a");
        var b = await s.StartWorkerAsync("-w", "2", "--name", "b");
        await Locked.With(s.App).EnqueueAsync(0, 4000);
        await Eventually.UntilAsync(async () => (await s.Db.StringGetAsync(s.Key("locked:holder"))).HasValue, "a worker to take the lock");
        // A second run waits for the lock (failing with TaskLockedException and retrying) wherever it is taken.
        await Locked.With(s.App).EnqueueAsync(1, 300);

        int holderPid = int.Parse(((string)(await s.Db.StringGetAsync(s.Key("locked:holder")))!).Split('|')[1]);
        var (holder, survivor) = holderPid == a.Id ? (a, b) : (b, a);
        Assert.Equal(holderPid, holder.Id);
        holder.KillHard();
        long killedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await Eventually.UntilAsync(async () => await s.Db.HashLengthAsync(s.Key("locked:done")) == 2, "both runs to end in the survivor", Long);
        Assert.Equal(0, await s.Db.ListLengthAsync(s.Key("locked:overlaps")));
        var done = await s.Db.HashGetAllAsync(s.Key("locked:done"));
        Assert.All(done, d => Assert.Equal(survivor.Id, (int)d.Value));
        // The survivor could start nothing before the dead holder's lock expired: it was renewed every second, for 3 s.
        var afterKill = (await StartsAsync(s, "locked:starts")).Where(x => x.Pid == survivor.Id).ToList();
        Assert.Contains(afterKill, x => x.N == 0);
        long firstStart = afterKill.Min(x => x.At);
        Assert.True(firstStart - killedAt >= 1500, $"the survivor started a run {firstStart - killedAt} ms after the kill, before the lock could expire");
        Assert.False(survivor.HasExited, survivor.Dump());
    }

    [Fact]
    public async Task Two_worker_processes_start_at_most_the_rate_limit_per_period_between_them_and_run_every_task()
    {
        await using var s = await NewScenario();
        var a = await s.StartWorkerAsync("-w", "2");
        var b = await s.StartWorkerAsync("-w", "2");
        await Limited.With(s.App).EnqueueManyAsync(Enumerable.Range(0, 12));

        await Eventually.UntilAsync(async () => await s.Db.ListLengthAsync(s.Key("limited:starts")) == 12, "twelve starts", Long);
        var starts = await StartsAsync(s, "limited:starts");
        Assert.Equal(Enumerable.Range(0, 12), starts.Select(x => x.N).Order());
        var times = starts.Select(x => x.At).Order().ToList();
        // Three a second: any four starts in a row span a second (less what separates the storage's count from the start).
        for (int i = 3; i < times.Count; i++)
        {
            Assert.True(times[i] - times[i - 3] >= 900, $"starts {i - 3} and {i} were {times[i] - times[i - 3]} ms apart");
        }
        Assert.Empty(await s.App.DeadLettersAsync());
        Assert.False(a.HasExited, a.Dump());
        Assert.False(b.HasExited, b.Dump());
    }
}
