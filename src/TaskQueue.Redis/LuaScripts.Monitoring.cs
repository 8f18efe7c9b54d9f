namespace TaskQueue.Redis;

internal static partial class LuaScripts
{
    // Store a consumer's description until its ttl passes. KEYS: 1 its key, 2 the index.
    // ARGV: 1 consumer id, 2 description, 3 ttl ms.
    public const string PutConsumer = Helpers + "\n" + """
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        redis.call('ZADD', KEYS[2], now_ms() + tonumber(ARGV[3]), ARGV[1])
        return 1
        """;

    // The live consumers' descriptions, dropping expired index entries. KEYS: 1 the index.
    // ARGV: 1 description key prefix. Returns {id, description, expires ms, ...}.
    public const string ListConsumers = Helpers + "\n" + """
        local now = now_ms()
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local live = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
        local reply = {}
        for i = 1, #live, 2 do
          local description = redis.call('GET', ARGV[1] .. live[i])
          if description then
            reply[#reply + 1] = live[i]
            reply[#reply + 1] = description
            reply[#reply + 1] = live[i + 1]
          end
        end
        return reply
        """;

    // Add counts to the current minute's and hour's counters (by Redis TIME), which expire after
    // 2 and 25 hours. ARGV: 1 minute key prefix, 2 hour key prefix, then name, count pairs.
    public const string AddStats = Helpers + "\n" + """
        local now = now_ms()
        local minute = ARGV[1] .. math.floor(now / 60000)
        local hour = ARGV[2] .. math.floor(now / 3600000)
        for i = 3, #ARGV, 2 do
          redis.call('HINCRBY', minute, ARGV[i], ARGV[i + 1])
          redis.call('HINCRBY', hour, ARGV[i], ARGV[i + 1])
        end
        redis.call('PEXPIRE', minute, 7200000)
        redis.call('PEXPIRE', hour, 90000000)
        return now
        """;

    // The counters of the last ARGV[3] minutes and ARGV[4] hours. ARGV: 1 minute prefix, 2 hour prefix,
    // 3 minutes, 4 hours. Returns {now ms, minute count, [bucket, {name, count, ...}]..., [bucket, {...}]...}.
    public const string ReadStats = Helpers + "\n" + """
        local now = now_ms()
        local reply = {now, 0}
        local function read(prefix, current, count)
          local found = 0
          for b = current - count + 1, current do
            local values = redis.call('HGETALL', prefix .. b)
            if #values > 0 then
              reply[#reply + 1] = b
              reply[#reply + 1] = values
              found = found + 1
            end
          end
          return found
        end
        reply[2] = read(ARGV[1], math.floor(now / 60000), tonumber(ARGV[3]))
        read(ARGV[2], math.floor(now / 3600000), tonumber(ARGV[4]))
        return reply
        """;
}
