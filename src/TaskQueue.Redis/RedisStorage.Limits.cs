using StackExchange.Redis;
using TaskQueue.Storage;

namespace TaskQueue.Redis;

/// <content>Rate limits shared by every worker.</content>
public sealed partial class RedisStorage
{
    /// <inheritdoc />
    /// <remarks>
    /// One script on the application's slot, timed by Redis <c>TIME</c>. The log is a sorted set of one member per start
    /// of the last period (some 40 bytes each): mind a count in the hundreds of thousands.
    /// </remarks>
    public async ValueTask<RateLimitResult> TryStartAsync(string name, int count, TimeSpan period, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.FromMilliseconds(1));
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.TryStart, [keys.RateLimit(name)], [count, RedisRecords.CeilingMs(period)])
            .ConfigureAwait(false))!;
        return (long)reply[0] == 1
            ? new RateLimitResult(true, TimeSpan.Zero)
            : new RateLimitResult(false, TimeSpan.FromMilliseconds((long)reply[1]));
    }
}
