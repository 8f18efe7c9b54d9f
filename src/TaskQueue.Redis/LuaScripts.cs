namespace TaskQueue.Redis;

/// <summary>
/// The Lua scripts behind every state change that must be atomic. Each runs through
/// <c>IDatabase.ScriptEvaluateAsync(string, RedisKey[], RedisValue[])</c>: StackExchange.Redis
/// sends EVALSHA after the first call and falls back to EVAL after a restart.
/// </summary>
/// <remarks>
/// Conventions: a queue entry is one byte of delivery count followed by the message; times are
/// Unix milliseconds read from Redis <c>TIME</c>, never from the caller's clock; keys found by
/// reading data are built from prefixes passed as arguments (see <see cref="RedisKeys"/>): they carry
/// the same hash tag as the declared keys, so every script touches one cluster slot. Needs Redis
/// 6.2 or later (LPOP with a count, BLMOVE).
/// </remarks>
internal static partial class LuaScripts
{
    // Shared by the scripts that need them: Redis TIME in Unix ms, and the two record layouts that
    // several scripts write (a dead letter; a scheduled message). See the key table in the README.
    private const string Helpers = """
        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function dead_letter(id, at, queue, reason, message)
          return string.format('%d|%d|%d|%d|', id, at, #queue, #reason) .. queue .. reason .. message
        end
        local function scheduled(uid, queue, message)
          return string.format('%012x|%d|', uid, #queue) .. queue .. message
        end
        """;

    // Take, atomically: pops up to ARGV[1] entries from the head of the first non-empty queue of
    // KEYS[7..] (in the order given), records each in the consumer's in-flight hash under a fresh
    // receipt "<seq>|<taken ms>|<queue>" (the time taken, by Redis TIME), registers the consumer for
    // the reaper, and returns the revocations' version (0 when there are none). Nothing leaves a queue without being
    // recorded, so a crash loses nothing. An entry too short to hold a message (one byte of delivery
    // count, then at least one byte of message: anything pushed by hand, an empty string) is moved
    // to dead letters with the reason in the same step, so it can never stall the batch it came in.
    // The take is idempotent per token (KEYS[5]): it remembers what it took for a minute, and a
    // retry with the same token (the reply of the first call was lost with the connection) returns
    // the same records, or false for one a reaper has handed back since, instead of taking more.
    // KEYS: 1 in-flight hash, 2 consumers set, 3 revocations, 4 sequence, 5 take token, 6 dead letters, 7.. queues
    // ARGV: 1 max, 2 consumer id, 3.. queue names (in the order of the queue keys)
    // Returns {0} when every queue is empty (or held only unreadable entries), else
    // {queue index, revocations version, first seq, taken ms, entry...}.
    public const string Take = Helpers + "\n" + """
        local memo = redis.call('GET', KEYS[5])
        if memo then
          local qi, first, count, now = string.match(memo, '^(%d+)|(%d+)|(%d+)|(%d+)$')
          qi = tonumber(qi)
          first = tonumber(first)
          local queue = ARGV[qi + 2]
          local reply = {qi, redis.call('HGET', KEYS[3], '') or 0, first, tonumber(now)}
          for j = 0, tonumber(count) - 1 do
            reply[#reply + 1] = redis.call('HGET', KEYS[1], first + j .. '|' .. now .. '|' .. queue) or false
          end
          return reply
        end
        local max = tonumber(ARGV[1])
        local now
        for i = 7, #KEYS do
          local popped = redis.call('LPOP', KEYS[i], max)
          if popped then
            local queue = ARGV[i - 4]
            now = now_ms()
            local entries = {}
            for j = 1, #popped do
              local e = popped[j]
              if #e >= 2 then
                entries[#entries + 1] = e
              else
                local reason = 'the queue entry has ' .. #e .. ' bytes, too few for a message (one byte of delivery count, then the message)'
                local id = redis.call('INCR', KEYS[4])
                redis.call('ZADD', KEYS[6], id,
                  dead_letter(id, now, queue, reason, string.sub(e, 2)))
              end
            end
            if #entries > 0 then
              local first = redis.call('INCRBY', KEYS[4], #entries) - #entries + 1
              local fields = {}
              for j = 1, #entries do
                fields[#fields + 1] = string.format('%d|%d|', first + j - 1, now) .. queue
                fields[#fields + 1] = entries[j]
                if #fields >= 1000 then
                  redis.call('HSET', KEYS[1], unpack(fields))
                  fields = {}
                end
              end
              if #fields > 0 then redis.call('HSET', KEYS[1], unpack(fields)) end
              redis.call('SADD', KEYS[2], ARGV[2])
              redis.call('SET', KEYS[5], string.format('%d|%d|%d|%d', i - 6, first, #entries, now), 'PX', 60000)
              local reply = {i - 6, redis.call('HGET', KEYS[3], '') or 0, first, now}
              for j = 1, #entries do reply[#reply + 1] = entries[j] end
              return reply
            end
          end
        end
        return {0}
        """;

    // Settle, atomically for the whole batch: each completion removes its in-flight record and
    // applies its effect in the same step: A ack (nothing more), R result (stored, with its expiry),
    // T retry (the replacement at the tail of its queue, or in the schedule when delayed), D dead
    // letter (recorded with its reason), L release (the record's entry back at the head of its
    // queue, its delivery count kept, or one more with a = '1' for a run cut short; several keep
    // their order). Settling is idempotent: a record that is
    // gone was settled by an earlier call with the same receipts (whose reply was lost) or handed back
    // by a reaper (its message is queued again), so only a result is stored all the same (a second
    // SET changes nothing); a retry, a dead letter or a release would be a second copy and is skipped.
    // Runs of recurring records that end with the batch leave their records' sets of runs.
    // KEYS: 1 in-flight hash, 2 consumers set, 3 schedule, 4 dead letters, 5 sequence, then one
    //       per completion: the result key (R) or the queue key (T, L), else KEYS[1] again; then
    //       the set of runs of each run that ends
    // ARGV: 1 consumer id, 2 number of completions n, then five per completion: kind, receipt, queue, a, b where
    //       R: a = result, b = ttl ms or ''; T: a = replacement, b = delay ms; D: a = reason, b = message;
    //       L: a = '1' to count a delivery; then the run of each run that ends
    public const string Complete = Helpers + "\n" + """
        local now
        local function clock()
          if not now then
            now = now_ms()
          end
          return now
        end
        local releases = {}
        local n = tonumber(ARGV[2])
        for j = 3 + 5 * n, #ARGV do redis.call('ZREM', KEYS[j + 3 - 4 * n], ARGV[j]) end
        for i = 0, n - 1 do
          local at = 3 + i * 5
          local kind, receipt, queue, a, b = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4]
          local key = KEYS[6 + i]
          local held = redis.call('HGET', KEYS[1], receipt)
          if held then
            redis.call('HDEL', KEYS[1], receipt)
            if kind == 'L' then
              if a == '1' then held = string.char(math.min(string.byte(held, 1) + 1, 255)) .. string.sub(held, 2) end
              releases[#releases + 1] = {key, held}
            end
          end
          if kind == 'R' then
            if b == '' then
              redis.call('SET', key, a)
            elseif tonumber(b) > 0 then
              redis.call('SET', key, a, 'PX', b)
            else
              redis.call('DEL', key)
            end
          elseif kind == 'T' and held then
            local delay = tonumber(b)
            if delay <= 0 then
              redis.call('RPUSH', key, '\0' .. a)
            else
              local uid = redis.call('INCR', KEYS[5])
              redis.call('ZADD', KEYS[3], string.format('%d', clock() + delay),
                scheduled(uid, queue, a))
            end
          elseif kind == 'D' and held then
            local id = redis.call('INCR', KEYS[5])
            redis.call('ZADD', KEYS[4], id,
              dead_letter(id, clock(), queue, a, b))
          end
        end
        for i = #releases, 1, -1 do redis.call('LPUSH', releases[i][1], releases[i][2]) end
        if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
        return n
        """;

    // Shared by the scripts that store a send once: sets the send's bit in its bitmap (renewing the
    // bitmap's expiry) and says whether it was clear, that is whether this is the send's first call.
    private const string SendOnce = """
        local function first_send(bitmap, bit, ttl)
          local was = redis.call('SETBIT', bitmap, bit, 1)
          redis.call('PEXPIRE', bitmap, ttl)
          return was == 0
        end
        """;

    // Schedule: adds a message to the schedule under a fresh uid, so identical messages stay apart;
    // with a send's bitmap (KEYS[3]), only on the send's first call.
    // KEYS: 1 schedule, 2 sequence, 3 the send's bitmap (optional). ARGV: 1 eta ms, 2 queue, 3 message,
    // 4 the send's bit, 5 bitmap ttl ms. Returns the uid, or 0 when the send was stored before.
    public const string Schedule = Helpers + "\n" + SendOnce + "\n" + """
        if KEYS[3] and not first_send(KEYS[3], ARGV[4], ARGV[5]) then return 0 end
        local uid = redis.call('INCR', KEYS[2])
        redis.call('ZADD', KEYS[1], ARGV[1], scheduled(uid, ARGV[2], ARGV[3]))
        return uid
        """;

    // Enqueue once per send: appends the entries to the queue unless the send's bit is already set.
    // KEYS: 1 queue, 2 the send's bitmap. ARGV: 1 the send's bit, 2 bitmap ttl ms, 3... entries.
    // Returns the queue's length, or 0 when the send was stored before.
    public const string EnqueueOnce = SendOnce + "\n" + """
        if not first_send(KEYS[2], ARGV[1], ARGV[2]) then return 0 end
        local n = 0
        for i = 3, #ARGV, 1000 do
          n = redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
        end
        return n
        """;

    // Promote, atomically: moves up to ARGV[2] messages whose eta is at or before Redis' clock
    // (TIME, never the caller's) from the schedule to the tail of their queues, soonest first,
    // with a delivery count of 0; returns how many moved, the eta of the soonest one left, and the clock.
    // KEYS: 1 schedule. ARGV: 1 queue key prefix, 2 limit. Returns {moved, next eta ms or nil, now ms}.
    public const string Promote = Helpers + "\n" + """
        local now = now_ms()
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
        for i = 1, #due do
          local m = due[i]
          local qlen, at = string.match(m, '^%x+|(%d+)|()')
          qlen = tonumber(qlen)
          redis.call('RPUSH', ARGV[1] .. string.sub(m, at, at + qlen - 1), '\0' .. string.sub(m, at + qlen))
        end
        for i = 1, #due, 1000 do
          redis.call('ZREM', KEYS[1], unpack(due, i, math.min(i + 999, #due)))
        end
        local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return {#due, nxt[2] or false, now}
        """;

    // Reap, atomically: for every consumer whose heartbeat key is gone (expired or removed), hands
    // its in-flight records back to the head of their queues in the order they were taken, each
    // with one more delivery counted, or sends them to dead letters when they were already handed
    // back ARGV[4] times; then forgets the consumer. A record it cannot read (a receipt or an entry
    // written by hand) goes to dead letters with the reason: the script never stops half-way.
    // KEYS: 1 consumers set, 2 dead letters, 3 sequence.
    // ARGV: 1 in-flight key prefix, 2 heartbeat key prefix, 3 queue key prefix, 4 max redeliveries.
    // Returns {requeued, dead-lettered}.
    public const string Reap = Helpers + "\n" + """
        local max = tonumber(ARGV[4])
        local requeued, dead = 0, 0
        local now
        local function bury(queue, reason, message)
          if not now then
            now = now_ms()
          end
          local id = redis.call('INCR', KEYS[3])
          redis.call('ZADD', KEYS[2], id, dead_letter(id, now, queue, reason, message))
          dead = dead + 1
        end
        for _, consumer in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          if redis.call('EXISTS', ARGV[2] .. consumer) == 0 then
            local key = ARGV[1] .. consumer
            local flat = redis.call('HGETALL', key)
            local records = {}
            for i = 1, #flat, 2 do
              -- A receipt is "<seq>|<taken ms>|<queue>"; a field that is not one (written by hand)
              -- still goes somewhere: to dead letters, under the queue name "?".
              local seq, queue = string.match(flat[i], '^(%d+)|%d+|(.*)$')
              if seq then
                records[#records + 1] = {tonumber(seq), queue, flat[i + 1]}
              else
                bury('?', 'an in-flight record under the unreadable receipt "' .. string.sub(flat[i], 1, 200) .. '"', flat[i + 1])
              end
            end
            table.sort(records, function(x, y) return x[1] > y[1] end)
            for _, r in ipairs(records) do
              local deliveries = string.byte(r[3], 1)
              if not deliveries or #r[3] < 2 then
                bury(r[2], 'the in-flight entry has ' .. #r[3] .. ' bytes, too few for a message', string.sub(r[3], 2))
              elseif deliveries >= max then
                bury(r[2], 'handed back ' .. deliveries .. ' times after its consumers stopped responding', string.sub(r[3], 2))
              else
                redis.call('LPUSH', ARGV[3] .. r[2], string.char(math.min(deliveries + 1, 255)) .. string.sub(r[3], 2))
                requeued = requeued + 1
              end
            end
            redis.call('DEL', key)
            redis.call('SREM', KEYS[1], consumer)
          end
        end
        return {requeued, dead}
        """;

    // In flight: counts the in-flight records of every registered consumer in one consistent read.
    // KEYS: 1 consumers set. ARGV: 1 in-flight key prefix.
    public const string InFlightCount = """
        local total = 0
        for _, consumer in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          total = total + redis.call('HLEN', ARGV[1] .. consumer)
        end
        return total
        """;
}
