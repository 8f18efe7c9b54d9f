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
/// the same hash tag as the declared keys, so every script touches one cluster slot: a queue's
/// (<see cref="QueueKeys"/>) or the application's. Needs Redis 6.2 or later (LPOP with a count, BLMOVE).
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
        local function scheduled(uid, priority, message)
          return string.format('%012x|%d|', uid, priority) .. message
        end
        """;

    // Shared by the scripts that put messages in a queue's ready lists. Q holds the queue's keys, set
    // by each script from its KEYS and ARGV before use: ready (the list of priority 0), prefix (what
    // the list of another priority starts with), prio (the sorted set of those priorities), marked.
    // A message of another priority also leaves an empty entry on an empty list of priority 0: the
    // wake-up marker that a blocked take (which blocks on that list) sees; takes skip it.
    private const string Lists = """
        local Q = {}
        local function list_of(p)
          if p == 0 then return Q.ready end
          return Q.prefix .. p
        end
        local function announce(p)
          if p ~= 0 then
            redis.call('ZADD', Q.prio, p, p)
            if redis.call('LLEN', Q.ready) == 0 then
              redis.call('RPUSH', Q.ready, '')
              redis.call('SET', Q.marked, '1')
            end
          end
        end
        local function push(p, entry, head)
          redis.call(head and 'LPUSH' or 'RPUSH', list_of(p), entry)
          announce(p)
        end
        -- The priorities in the order takes serve them: highest first, 0 among them.
        local function levels()
          if redis.call('EXISTS', Q.prio) == 0 then return {0} end
          local order, zero = {}, false
          for _, p in ipairs(redis.call('ZREVRANGE', Q.prio, 0, -1)) do
            p = tonumber(p)
            if p < 0 and not zero then
              order[#order + 1] = 0
              zero = true
            end
            if p ~= 0 then order[#order + 1] = p end
          end
          if not zero then order[#order + 1] = 0 end
          return order
        end
        """;

    // Take, atomically, from one queue: pops up to ARGV[1] entries from the head of the ready list of
    // the highest priority that has any, records each in the consumer's in-flight hash under a fresh
    // receipt "<seq>|<taken ms>|<priority>|<queue>" (the time taken, by Redis TIME), and registers the
    // consumer for the reaper. Nothing leaves a queue without being recorded, so a crash loses
    // nothing. A wake-up marker (an empty entry) is dropped; an entry too short to hold a message
    // (one byte: pushed by hand) is moved to dead letters with the reason in the same step, so it
    // can never stall the batch it came in. The take is idempotent per token (KEYS[4]): it remembers
    // what it took for a minute, and a retry with the same token (the reply of the first call was
    // lost with the connection) returns the same records, or false for one a reaper has handed back
    // since, instead of taking more.
    // KEYS: 1 in-flight hash, 2 consumers set, 3 sequence, 4 take token, 5 dead letters, 6 ready, 7 priorities, 8 marked
    // ARGV: 1 max, 2 consumer id, 3 queue, 4 ready prefix, 5 queue name for dead letters
    // Returns {0} when the queue is empty (or held only markers and unreadable entries), else
    // {1, priority, first seq, taken ms, entry...}.
    public const string Take = Helpers + "\n" + Lists + "\n" + """
        Q.ready, Q.prefix, Q.prio, Q.marked = KEYS[6], ARGV[4], KEYS[7], KEYS[8]
        local memo = redis.call('GET', KEYS[4])
        if memo then
          local p, first, count, now = string.match(memo, '^(-?%d+)|(%d+)|(%d+)|(%d+)$')
          first = tonumber(first)
          local reply = {1, tonumber(p), first, tonumber(now)}
          for j = 0, tonumber(count) - 1 do
            reply[#reply + 1] = redis.call('HGET', KEYS[1], string.format('%d|%d|%d|', first + j, now, p) .. ARGV[3]) or false
          end
          return reply
        end
        local max = tonumber(ARGV[1])
        local now
        for _, p in ipairs(levels()) do
          local list = list_of(p)
          local popped = redis.call('LPOP', list, max)
          if popped then
            if p ~= 0 and redis.call('LLEN', list) == 0 then redis.call('ZREM', Q.prio, p) end
            now = now or now_ms()
            local entries = {}
            for j = 1, #popped do
              local e = popped[j]
              if #e >= 2 then
                entries[#entries + 1] = e
              elseif #e == 0 then
                redis.call('DEL', Q.marked)
              else
                local reason = 'the queue entry has ' .. #e .. ' bytes, too few for a message (one byte of delivery count, then the message)'
                local id = redis.call('INCR', KEYS[3])
                redis.call('ZADD', KEYS[5], id, dead_letter(id, now, ARGV[5], reason, string.sub(e, 2)))
              end
            end
            if #entries > 0 then
              local first = redis.call('INCRBY', KEYS[3], #entries) - #entries + 1
              local suffix = string.format('|%d|%d|', now, p) .. ARGV[3]
              local fields = {}
              for j = 1, #entries do
                fields[#fields + 1] = string.format('%d', first + j - 1) .. suffix
                fields[#fields + 1] = entries[j]
                if #fields >= 1000 then
                  redis.call('HSET', KEYS[1], unpack(fields))
                  fields = {}
                end
              end
              if #fields > 0 then redis.call('HSET', KEYS[1], unpack(fields)) end
              redis.call('SADD', KEYS[2], ARGV[2])
              redis.call('SET', KEYS[4], string.format('%d|%d|%d|%d', p, first, #entries, now), 'PX', 60000)
              local reply = {1, p, first, now}
              for j = 1, #entries do reply[#reply + 1] = entries[j] end
              return reply
            end
          end
        end
        return {0}
        """;

    // Settle, atomically for a batch of one queue: each completion removes its in-flight record and
    // applies its effect in the same step: A ack (nothing more; a result was stored just before), T
    // retry (the replacement at the tail of its priority's list, or in the schedule when delayed), D
    // dead letter (recorded with its reason), L release (the record's entry back at the head of its
    // priority's list, its delivery count kept, or one more with a = '1' for a run cut short;
    // several keep their order). Settling is idempotent: a record that is gone was settled by an
    // earlier call with the same receipts (whose reply was lost) or handed back by a reaper (its
    // message is queued again), so a retry, a dead letter or a release would be a second copy and is skipped.
    // KEYS: 1 in-flight hash, 2 consumers set, 3 schedule, 4 dead letters, 5 sequence, 6 ready, 7 priorities, 8 marked
    // ARGV: 1 consumer id, 2 ready prefix, 3 queue name for dead letters, then four per completion:
    //       kind, receipt, a, b where T: a = replacement, b = delay ms; D: a = reason, b = message; L: a = '1' to count a delivery
    public const string Complete = Helpers + "\n" + Lists + "\n" + """
        Q.ready, Q.prefix, Q.prio, Q.marked = KEYS[6], ARGV[2], KEYS[7], KEYS[8]
        local now
        local function clock()
          if not now then
            now = now_ms()
          end
          return now
        end
        local releases = {}
        for at = 4, #ARGV, 4 do
          local kind, receipt, a, b = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
          local p = tonumber(string.match(receipt, '^%d+|%d+|(-?%d+)|') or '0')
          local held = redis.call('HGET', KEYS[1], receipt)
          if held then
            redis.call('HDEL', KEYS[1], receipt)
            if kind == 'T' then
              local delay = tonumber(b)
              if delay <= 0 then
                push(p, '\0' .. a, false)
              else
                redis.call('ZADD', KEYS[3], string.format('%d', clock() + delay), scheduled(redis.call('INCR', KEYS[5]), p, a))
              end
            elseif kind == 'D' then
              local id = redis.call('INCR', KEYS[5])
              redis.call('ZADD', KEYS[4], id, dead_letter(id, clock(), ARGV[3], a, b))
            elseif kind == 'L' then
              if a == '1' then held = string.char(math.min(string.byte(held, 1) + 1, 255)) .. string.sub(held, 2) end
              releases[#releases + 1] = {p, held}
            end
          end
        end
        for i = #releases, 1, -1 do push(releases[i][1], releases[i][2], true) end
        if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
        return 1
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

    // Schedule: adds a message to the queue's schedule under a fresh uid, so identical messages stay
    // apart; with a send's bitmap (KEYS[3]), only on the send's first call.
    // KEYS: 1 schedule, 2 sequence, 3 the send's bitmap (optional). ARGV: 1 eta ms, 2 priority, 3 message,
    // 4 the send's bit, 5 bitmap ttl ms. Returns the uid, or 0 when the send was stored before.
    public const string Schedule = Helpers + "\n" + SendOnce + "\n" + """
        if KEYS[3] and not first_send(KEYS[3], ARGV[4], ARGV[5]) then return 0 end
        local uid = redis.call('INCR', KEYS[2])
        redis.call('ZADD', KEYS[1], ARGV[1], scheduled(uid, tonumber(ARGV[2]), ARGV[3]))
        return uid
        """;

    // Enqueue with a priority or once per send: appends the entries to the ready list of their
    // priority, unless the send's bit (KEYS[4], optional) is already set. (Without either, an enqueue is a plain RPUSH.)
    // KEYS: 1 ready, 2 priorities, 3 marked, 4 the send's bitmap. ARGV: 1 priority, 2 ready prefix,
    // 3 the send's bit, 4 bitmap ttl ms, 5... entries. Returns 1, or 0 when the send was stored before.
    public const string Enqueue = SendOnce + "\n" + Lists + "\n" + """
        Q.ready, Q.prefix, Q.prio, Q.marked = KEYS[1], ARGV[2], KEYS[2], KEYS[3]
        if KEYS[4] and not first_send(KEYS[4], ARGV[3], ARGV[4]) then return 0 end
        local p = tonumber(ARGV[1])
        local list = list_of(p)
        for i = 5, #ARGV, 1000 do
          redis.call('RPUSH', list, unpack(ARGV, i, math.min(i + 999, #ARGV)))
        end
        announce(p)
        return 1
        """;

    // Promote, atomically: moves up to ARGV[1] messages whose eta is at or before Redis' clock
    // (TIME, never the caller's) from the queue's schedule to the tail of their priority's list,
    // soonest first, with a delivery count of 0; returns how many moved, the eta of the soonest one left, and the clock.
    // KEYS: 1 schedule, 2 ready, 3 priorities, 4 marked. ARGV: 1 limit, 2 ready prefix.
    // Returns {moved, next eta ms or false, now ms}.
    public const string Promote = Helpers + "\n" + Lists + "\n" + """
        Q.ready, Q.prefix, Q.prio, Q.marked = KEYS[2], ARGV[2], KEYS[3], KEYS[4]
        local now = now_ms()
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
        -- Consecutive messages of one priority go in one RPUSH (a call per message costs more than the push).
        local batch, bp = {}, nil
        local function flush()
          if #batch > 0 then
            redis.call('RPUSH', list_of(bp), unpack(batch))
            announce(bp)
            batch = {}
          end
        end
        for i = 1, #due do
          local m = due[i]
          local p, at = string.match(m, '^%x+|(-?%d+)|()')
          if p then
            p = tonumber(p)
            if p ~= bp or #batch >= 1000 then
              flush()
              bp = p
            end
            batch[#batch + 1] = '\0' .. string.sub(m, at)
          end
        end
        flush()
        -- The due members are the set's first ones by rank: one range removal instead of a ZREM per member.
        if #due > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #due - 1) end
        local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return {#due, nxt[2] or false, now}
        """;

    // Reap, atomically, on one queue: for every consumer named in ARGV that is registered on the
    // queue (the caller found their heartbeats gone), hands its in-flight records back to the head
    // of their priority's lists in the order they were taken, each with one more delivery counted,
    // or sends them to dead letters when they were already handed back ARGV[3] times; then forgets
    // the consumer. A record it cannot read (a receipt or an entry written by hand) goes to dead
    // letters with the reason: the script never stops half-way.
    // KEYS: 1 consumers set, 2 dead letters, 3 sequence, 4 ready, 5 priorities, 6 marked.
    // ARGV: 1 in-flight key prefix, 2 ready prefix, 3 max redeliveries, 4 queue name for dead letters, 5... consumers.
    // Returns {requeued, dead-lettered}.
    public const string Reap = Helpers + "\n" + Lists + "\n" + """
        Q.ready, Q.prefix, Q.prio, Q.marked = KEYS[4], ARGV[2], KEYS[5], KEYS[6]
        local max = tonumber(ARGV[3])
        local requeued, dead = 0, 0
        local now
        local function bury(reason, message)
          if not now then
            now = now_ms()
          end
          local id = redis.call('INCR', KEYS[3])
          redis.call('ZADD', KEYS[2], id, dead_letter(id, now, ARGV[4], reason, message))
          dead = dead + 1
        end
        for c = 5, #ARGV do
          local consumer = ARGV[c]
          if redis.call('SISMEMBER', KEYS[1], consumer) == 1 then
            local key = ARGV[1] .. consumer
            local flat = redis.call('HGETALL', key)
            local records = {}
            for i = 1, #flat, 2 do
              local seq, p = string.match(flat[i], '^(%d+)|%d+|(-?%d+)|')
              if seq then
                records[#records + 1] = {tonumber(seq), tonumber(p), flat[i + 1]}
              else
                bury('an in-flight record under the unreadable receipt "' .. string.sub(flat[i], 1, 200) .. '"', flat[i + 1])
              end
            end
            table.sort(records, function(x, y) return x[1] > y[1] end)
            for _, r in ipairs(records) do
              local deliveries = string.byte(r[3], 1)
              if not deliveries or #r[3] < 2 then
                bury('the in-flight entry has ' .. #r[3] .. ' bytes, too few for a message', string.sub(r[3], 2))
              elseif deliveries >= max then
                bury('handed back ' .. deliveries .. ' times after its consumers stopped responding', string.sub(r[3], 2))
              else
                push(r[2], string.char(math.min(deliveries + 1, 255)) .. string.sub(r[3], 2), true)
                requeued = requeued + 1
              end
            end
            redis.call('DEL', key)
            redis.call('SREM', KEYS[1], consumer)
          end
        end
        return {requeued, dead}
        """;

    // In flight: counts the in-flight records of every consumer registered on one queue.
    // KEYS: 1 consumers set. ARGV: 1 in-flight key prefix.
    public const string InFlightCount = """
        local total = 0
        for _, consumer in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          total = total + redis.call('HLEN', ARGV[1] .. consumer)
        end
        return total
        """;

    // Length and head of one queue: how many messages are ready (markers left out), and up to ARGV[2]
    // of them in the order takes would serve them (entries with their delivery byte).
    // KEYS: 1 ready, 2 priorities, 3 marked. ARGV: 1 ready prefix, 2 how many to list.
    // Returns {length, entry...}.
    public const string Ready = Lists + "\n" + """
        Q.ready, Q.prefix, Q.prio, Q.marked = KEYS[1], ARGV[1], KEYS[2], KEYS[3]
        local want = tonumber(ARGV[2])
        local reply = {0}
        local total = 0
        for _, p in ipairs(levels()) do
          local list = list_of(p)
          total = total + redis.call('LLEN', list)
          if #reply - 1 < want then
            for _, e in ipairs(redis.call('LRANGE', list, 0, want - #reply)) do
              if #e > 0 and #reply - 1 < want then reply[#reply + 1] = e end
            end
          end
        end
        total = total - redis.call('EXISTS', Q.marked)
        if total < 0 then total = 0 end
        reply[1] = total
        return reply
        """;
}
