namespace TaskQueue.Redis;

internal static partial class LuaScripts
{
    // Enqueue unique: when the queue's key is free, holds it (SET with an expiry) with the caller's value and appends the
    // message to the ready list of its priority or, with an eta, adds it to the queue's schedule; when it is held, writes
    // nothing. KEYS: 1 ready, 2 priorities, 3 marked, 4 the unique key, 5 schedule, 6 sequence.
    // ARGV: 1 priority, 2 ready prefix, 3 key ttl ms, 4 eta ms (0 for now), 5 message, 6 the key's value.
    // Returns {1, value} when stored, {0, the value the key holds} when it was held.
    public const string EnqueueUnique = Helpers + "\n" + Lists + "\n" + """
        Q.ready, Q.prefix, Q.prio, Q.marked = KEYS[1], ARGV[2], KEYS[2], KEYS[3]
        local held = redis.call('GET', KEYS[4])
        if held then return {0, held} end
        redis.call('SET', KEYS[4], ARGV[6], 'PX', ARGV[3])
        local p = tonumber(ARGV[1])
        local eta = tonumber(ARGV[4])
        if eta > 0 then
          redis.call('ZADD', KEYS[5], eta, scheduled(redis.call('INCR', KEYS[6]), p, ARGV[5]))
        else
          push(p, '\0' .. ARGV[5], false)
        end
        return {1, ARGV[6]}
        """;

    // Release unique: deletes the key, only while it holds ARGV[1] when that is not empty (a run whose key expired and
    // was taken by a later send must not free the later one's). KEYS: 1 the unique key. Returns 1 when deleted, else 0.
    public const string ReleaseUnique = """
        if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        return redis.call('DEL', KEYS[1])
        """;

    // Chord add: records a member's result in the chord's hash (replacing an earlier run's), renews the
    // hash's expiry, and once every member has one returns the whole hash (field = member index); the
    // caller puts them in member order. (HGETALL rather than an HMGET of every index: Lua's unpack stops
    // at about 8,000 values, and a chord may have more members.)
    // KEYS: 1 the chord's hash. ARGV: 1 member index, 2 member count, 3 result, 4 ttl ms.
    // Returns {index, result, index, result, ...}, or false while some are missing.
    public const string AddChordResult = """
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        if redis.call('HLEN', KEYS[1]) < tonumber(ARGV[2]) then return false end
        return redis.call('HGETALL', KEYS[1])
        """;
}
