namespace TaskQueue.Redis;

internal static partial class LuaScripts
{
    // Request cancel: records the request with its expiry (Redis TIME + ttl) in the hash and in the sorted set of
    // expiries, replacing an earlier request for the same id, and drops up to 100 requests that have expired.
    // KEYS: 1 requests (hash), 2 their expiries (sorted set). ARGV: 1 task id, 2 ttl ms.
    public const string RequestCancel = Helpers + "\n" + """
        local now = now_ms()
        local expires = now + tonumber(ARGV[2])
        redis.call('HSET', KEYS[1], ARGV[1], expires)
        redis.call('ZADD', KEYS[2], expires, ARGV[1])
        local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
        if #ended > 0 then
          redis.call('HDEL', KEYS[1], unpack(ended))
          redis.call('ZREM', KEYS[2], unpack(ended))
        end
        return 1
        """;

    // Read cancel requests: the ids among ARGV whose request has not expired by Redis TIME.
    // KEYS: 1 requests (hash). ARGV: the task ids. Returns the ids found.
    public const string ReadCancelRequests = Helpers + "\n" + """
        local now = now_ms()
        local expiries = redis.call('HMGET', KEYS[1], unpack(ARGV))
        local found = {}
        for i = 1, #ARGV do
          local expires = expiries[i]
          if expires and tonumber(expires) > now then found[#found + 1] = ARGV[i] end
        end
        return found
        """;
}
