namespace TaskQueue.Redis;

/// <content>The scripts for revocations and dead letters.</content>
internal static partial class LuaScripts
{
    // Revocations live in one hash, target -> "<until ms or empty>|<once 0/1>", beside a sorted set
    // of the targets that may be dropped, scored with when (their end, else their expiry). The hash's
    // field '' holds the version: a fresh number from the sequence on every change, so it never
    // repeats even after the hash went away; the take returns it, and consumers re-read the targets
    // only when it moved. The hash is deleted with its last record, so "none" costs nothing.
    // KEYS of each: 1 revocations, 2 ends, 3 sequence.
    private const string RevocationChanged = """
        local function changed()
          if redis.call('HLEN', KEYS[1]) - redis.call('HEXISTS', KEYS[1], '') == 0 then
            redis.call('DEL', KEYS[1])
          else
            redis.call('HSET', KEYS[1], '', redis.call('INCR', KEYS[3]))
          end
        end
        local function drop(target)
          redis.call('HDEL', KEYS[1], target)
          redis.call('ZREM', KEYS[2], target)
        end
        """;

    // Revoke: records ARGV[2] for target ARGV[1], droppable at ARGV[3] ms (empty: kept until restored).
    public const string Revoke = RevocationChanged + "\n" + """
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        if ARGV[3] == '' then
          redis.call('ZREM', KEYS[2], ARGV[1])
        else
          redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
        end
        changed()
        return 1
        """;

    // Consume a revocation, atomically: 1 when any target in ARGV is revoked at Redis' clock. A
    // revoke-once record that causes the skip is removed in the same step, so exactly one run is
    // skipped however many consumers race; records past their end are removed on the way.
    public const string ConsumeRevocation = Helpers + "\n" + RevocationChanged + "\n" + """
        local now = now_ms()
        for i = 1, #ARGV do
          local record = redis.call('HGET', KEYS[1], ARGV[i])
          if record then
            local ends, once = string.match(record, '^(-?%d*)|(%d)$')
            if ends ~= '' and now >= tonumber(ends) then
              drop(ARGV[i])
              changed()
            else
              if once == '1' then
                drop(ARGV[i])
                changed()
              end
              return 1
            end
          end
        end
        return 0
        """;

    // Look up a revocation: with ARGV[2] '0', returns the record of ARGV[1] as recorded, also one past
    // its end (the caller decides at which time it asks). With '1' (restore), removes it and returns
    // it only when it still applies at Redis' clock, so a restore says false for an expired one.
    public const string LookUpRevocation = Helpers + "\n" + RevocationChanged + "\n" + """
        if ARGV[1] == '' then return false end
        local record = redis.call('HGET', KEYS[1], ARGV[1])
        if not record then return false end
        if ARGV[2] ~= '1' then return record end
        drop(ARGV[1])
        changed()
        local ends = string.match(record, '^(-?%d*)|')
        if ends ~= '' then
          if now_ms() >= tonumber(ends) then return false end
        end
        return record
        """;

    // Read the revoked targets: {version} when there are more than ARGV[1], else {version, target...};
    // {0} when there are none.
    public const string ReadRevocations = """
        local version = redis.call('HGET', KEYS[1], '')
        if not version then return {0} end
        if redis.call('HLEN', KEYS[1]) - 1 > tonumber(ARGV[1]) then return {version} end
        local reply = {version}
        for _, target in ipairs(redis.call('HKEYS', KEYS[1])) do
          if target ~= '' then reply[#reply + 1] = target end
        end
        return reply
        """;

    // Drop revocation records whose time to be dropped has come (at most 1000 a call).
    public const string DropEndedRevocations = Helpers + "\n" + RevocationChanged + "\n" + """
        local now = now_ms()
        local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)
        if #ended == 0 then return 0 end
        for _, target in ipairs(ended) do drop(target) end
        changed()
        return #ended
        """;

    // Dead-letter a message directly: records it with its reason, at Redis' clock, under a fresh
    // id that is also its score (newest = highest).
    // KEYS: 1 dead letters, 2 sequence. ARGV: 1 queue, 2 reason, 3 message. Returns the id.
    public const string DeadLetter = Helpers + "\n" + """
        local now = now_ms()
        local id = redis.call('INCR', KEYS[2])
        redis.call('ZADD', KEYS[1], id,
          dead_letter(id, now, ARGV[1], ARGV[2], ARGV[3]))
        return id
        """;

    // Trim dead letters: the oldest beyond ARGV[1] go, then, oldest first, those written more than
    // ARGV[2] ms ago by Redis TIME (at most 1000 a call). Returns how many went.
    // KEYS: 1 dead letters.
    public const string TrimDeadLetters = Helpers + "\n" + """
        local removed = 0
        local n = redis.call('ZCARD', KEYS[1])
        local max = tonumber(ARGV[1])
        if n > max then removed = redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - max - 1) end
        local oldest = now_ms() - tonumber(ARGV[2])
        for _ = 1, 1000 do
          local first = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
          if not first then break end
          local at = tonumber(string.match(first, '^%d+|(%d+)|'))
          if at and at >= oldest then break end
          redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
          removed = removed + 1
        end
        return removed
        """;

    // Requeue a dead letter, atomically: removes it and appends its message to the tail of its
    // queue's list of priority 0 with a fresh delivery count. Returns 1, or 0 when there is no such dead letter.
    // KEYS: 1 dead letters, 2 ready. ARGV: 1 the dead letter's number.
    public const string RequeueDeadLetter = """
        local found = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
        if #found == 0 then return 0 end
        local m = found[1]
        local qlen, rlen, at = string.match(m, '^%d+|%-?%d+|(%d+)|(%d+)|()')
        qlen, rlen = tonumber(qlen), tonumber(rlen)
        redis.call('ZREM', KEYS[1], m)
        redis.call('RPUSH', KEYS[2], '\0' .. string.sub(m, at + qlen + rlen))
        return 1
        """;
}
