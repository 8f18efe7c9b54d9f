using StackExchange.Redis;
using TaskQueue;

namespace TaskQueue.Worker.TestHost;

/// <summary>Tasks with a lock or a rate limit, recording in Redis what each run saw: for the process tests of both.</summary>
public static class LimitProbes
{
    /// <summary>
    /// Holds the lock <c>probe-lock</c> for <paramref name="milliseconds"/>, keeping a "running" marker with its pid that
    /// expires a second after its last refresh (so that a run killed mid-task leaves none behind for long, well before its
    /// lock expires); finding another pid's marker means two runs held the lock at once. Records each start as
    /// <c>n|pid|Unix ms</c>, and each end.
    /// </summary>
    [Task(Lock = "probe-lock", Retries = 100, RetryDelaySeconds = 1)]
    public static async Task Locked(int n, int milliseconds, CancellationToken cancellationToken)
    {
        var db = Probe.Db;
        string pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var marker = Probe.Key("locked:running");
        if (!await db.StringSetAsync(marker, pid, TimeSpan.FromSeconds(1), When.NotExists)) await db.ListRightPushAsync(Probe.Key("locked:overlaps"), $"{n}|{pid}");
        await db.ListRightPushAsync(Probe.Key("locked:starts"), $"{n}|{pid}|{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
        await db.StringSetAsync(Probe.Key("locked:holder"), $"{n}|{pid}");
        var end = DateTimeOffset.UtcNow.AddMilliseconds(milliseconds);
        while (DateTimeOffset.UtcNow < end)
        {
            await Task.Delay(100, cancellationToken);
            var seen = await db.StringGetAsync(marker);
            if (seen.HasValue && seen != pid) await db.ListRightPushAsync(Probe.Key("locked:overlaps"), $"{n}|{pid}|saw {seen}");
            await db.StringSetAsync(marker, pid, TimeSpan.FromSeconds(1));
        }
        if (await db.StringGetAsync(marker) == pid) await db.KeyDeleteAsync(marker);
        await db.HashSetAsync(Probe.Key("locked:done"), n, pid);
    }

    /// <summary>At most three starts per second across all workers; records each start as <c>n|pid|Unix ms</c>.</summary>
    [Task(RateLimit = 3, RateLimitPeriodSeconds = 1)]
    public static async Task Limited(int n)
    {
        await Probe.Db.ListRightPushAsync(Probe.Key("limited:starts"), $"{n}|{Environment.ProcessId}|{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
    }
}
