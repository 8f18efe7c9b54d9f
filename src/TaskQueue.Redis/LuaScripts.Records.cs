namespace TaskQueue.Redis;

/// <content>The scripts for revocations and dead letters.</content>
internal static partial class LuaScripts
{
    // Consume a revocation, atomically: 1 when any target in ARGV is revoked at Redis' clock. A
    // revoke-once record that causes the skip is removed in the same step, so exactly one run is
    // skipped however many consumers race; records past their end are removed on the way.
    // KEYS: 1 revocations. ARGV: targets. A record is "<until ms or empty>|<once 0/1>".
    public const string ConsumeRevocation = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        for i = 1, #ARGV do
          local record = redis.call('HGET', KEYS[1], ARGV[i])
          if record then
            local ends, once = string.match(record, '^(-?%d*)|(%d)$')
            if ends ~= '' and now >= tonumber(ends) then
              redis.call('HDEL', KEYS[1], ARGV[i])
            else
              if once == '1' then redis.call('HDEL', KEYS[1], ARGV[i]) end
              return 1
            end
          end
        end
        return 0
        """;

    // Look up a revocation: with ARGV[2] '0', returns the record of ARGV[1] as recorded, also one past
    // its end (the caller decides at which time it asks). With '1' (restore), removes it and returns
    // it only when it still applies at Redis' clock, so a restore says false for an expired one.
    // KEYS: 1 revocations. ARGV: 1 target, 2 remove 0/1.
    public const string LookUpRevocation = """
        local record = redis.call('HGET', KEYS[1], ARGV[1])
        if not record then return false end
        if ARGV[2] ~= '1' then return record end
        redis.call('HDEL', KEYS[1], ARGV[1])
        local ends = string.match(record, '^(-?%d*)|')
        if ends ~= '' then
          local t = redis.call('TIME')
          if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) >= tonumber(ends) then return false end
        end
        return record
        """;

    // Dead-letter a message directly: records it with its reason, at Redis' clock, under a fresh
    // id that is also its score (newest = highest).
    // KEYS: 1 dead letters, 2 sequence. ARGV: 1 queue, 2 reason, 3 message. Returns the id.
    public const string DeadLetter = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local id = redis.call('INCR', KEYS[2])
        redis.call('ZADD', KEYS[1], id,
          string.format('%d|%d|%d|%d|', id, now, #ARGV[1], #ARGV[2]) .. ARGV[1] .. ARGV[2] .. ARGV[3])
        return id
        """;

    // Requeue a dead letter, atomically: removes it and appends its message to the tail of its
    // queue with a fresh delivery count. Returns 1, or 0 when there is no such dead letter.
    // KEYS: 1 dead letters. ARGV: 1 queue key prefix, 2 id.
    public const string RequeueDeadLetter = """
        local found = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[2])
        if #found == 0 then return 0 end
        local m = found[1]
        local qlen, rlen, at = string.match(m, '^%d+|%-?%d+|(%d+)|(%d+)|()')
        qlen, rlen = tonumber(qlen), tonumber(rlen)
        redis.call('ZREM', KEYS[1], m)
        redis.call('RPUSH', ARGV[1] .. string.sub(m, at, at + qlen - 1), '\0' .. string.sub(m, at + qlen + rlen))
        return 1
        """;
}
