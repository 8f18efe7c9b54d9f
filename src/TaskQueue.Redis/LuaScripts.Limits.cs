namespace TaskQueue.Redis;

internal static partial class LuaScripts
{
    // Rate limit start, over a sliding log: drops the starts that a whole period has passed since (by Redis TIME), and
    // then either records this start (when fewer than the count remain) and renews the log's expiry to one period, or
    // records nothing and says when the start that must leave first does. Members are "<ms>:<size of the log>", unique
    // because the log only grows within one millisecond.
    // KEYS: 1 the limit's log (sorted set scored by start, Unix ms). ARGV: 1 count, 2 period ms.
    // Returns {1, 0} when started, {0, ms until the next start is allowed} when not.
    public const string TryStart = Helpers + "\n" + """
        local count, period = tonumber(ARGV[1]), tonumber(ARGV[2])
        local now = now_ms()
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
        local size = redis.call('ZCARD', KEYS[1])
        if size < count then
          redis.call('ZADD', KEYS[1], now, now .. ':' .. size)
          redis.call('PEXPIRE', KEYS[1], period)
          return {1, 0}
        end
        local first = redis.call('ZRANGE', KEYS[1], size - count, size - count, 'WITHSCORES')
        return {0, math.max(1, tonumber(first[2]) + period - now)}
        """;
}
