namespace TaskQueue.Redis;

internal static partial class LuaScripts
{
    // Shared by the scripts that fire a message into the outbox (a queue is in another slot): the
    // record "<id>|<priority>|<queue length>|<queue><entry>" under a fresh id of the application's
    // sequence, appended to the outbox and returned, for the caller to relay to the queue.
    // KEYS of each: outbox and sequence as named by the script.
    private const string Outbox = """
        local function to_outbox(outbox, seq, priority, queue, entry)
          local record = string.format('%d|%d|%d|', redis.call('INCR', seq), tonumber(priority), #queue) .. queue .. entry
          redis.call('RPUSH', outbox, record)
          return record
        end
        """;

    // Fire a periodic occurrence once: when the last occurrence recorded for the task is before
    // ARGV[2] (or none is), records ARGV[3] and, unless the task is paused, puts the message in the outbox.
    // KEYS: 1 periodic hash, 2 paused set, 3 outbox, 4 sequence. ARGV: 1 task name, 2 due ms, 3 mark ms,
    // 4 priority, 5 queue, 6 queue entry. Returns the outbox record when fired, else 0.
    public const string FirePeriodic = Outbox + "\n" + """
        local last = redis.call('HGET', KEYS[1], ARGV[1])
        if last and tonumber(last) >= tonumber(ARGV[2]) then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
        return to_outbox(KEYS[3], KEYS[4], ARGV[4], ARGV[5], ARGV[6])
        """;

    // Take or extend a lock: free, or held by the same owner. KEYS: 1 lock. ARGV: 1 owner, 2 ttl ms.
    public const string AcquireLock = """
        local owner = redis.call('GET', KEYS[1])
        if owner and owner ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """;

    // Hand a lock over: taken for ARGV[2] when free, held by ARGV[1], or already held by ARGV[2].
    // KEYS: 1 lock. ARGV: 1 from, 2 to, 3 ttl ms.
    public const string TakeOverLock = """
        local owner = redis.call('GET', KEYS[1])
        if owner and owner ~= ARGV[1] and owner ~= ARGV[2] then return 0 end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
        """;

    // Free a lock held by ARGV[1]. KEYS: 1 lock.
    public const string ReleaseLock = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          return 1
        end
        return 0
        """;

    // Shared by the recurring-task scripts: one record as {id, label, body, next or false, ver,
    // running 0/1, busy 0/1}, or nil when its hash is gone. Running: a run of it is recorded in its
    // runs set (runsPrefix) past now; busy: its no-overlap lock (lockPrefix) is held.
    private const string ReadRecord = """
        local function read(id, recordPrefix, lockPrefix, runsPrefix, now)
          local r = redis.call('HMGET', recordPrefix .. id, 'label', 'body', 'next', 'ver')
          if not r[4] then return nil end
          local running = #redis.call('ZRANGEBYSCORE', runsPrefix .. id, '(' .. now, '+inf', 'LIMIT', 0, 1) > 0 and 1 or 0
          return {id, r[1], r[2], r[3] or false, r[4], running, redis.call('EXISTS', lockPrefix .. id)}
        end
        local function push(reply, rec)
          for i = 1, 7 do reply[#reply + 1] = rec[i] end
        end
        """;

    // Shared: puts a record's next run (ms, or '' for none) in its hash and the due index.
    private const string ScheduleRecord = """
        local function schedule(record, due, id, next)
          if next == '' then
            redis.call('HDEL', record, 'next')
            redis.call('ZREM', due, id)
          else
            redis.call('HSET', record, 'next', next)
            redis.call('ZADD', due, next, id)
          end
        end
        """;

    // Write a record. KEYS: 1 record, 2 labels, 3 due. ARGV: 1 id, 2 label, 3 body, 4 next ms or
    // '', 5 expected version or '' (must not exist), 6 replace label '1'/'0', 7 record prefix.
    // Returns {0, version} written, {1, version} version conflict, {2, version, holder} label taken.
    public const string PutRecurring = ScheduleRecord + "\n" + """
        local ver = tonumber(redis.call('HGET', KEYS[1], 'ver') or '0')
        local exists = redis.call('EXISTS', KEYS[1]) == 1
        if ARGV[5] == '' then
          if exists then return {1, ver} end
        elseif not exists or ver ~= tonumber(ARGV[5]) then
          return {1, ver}
        end
        local holder = redis.call('HGET', KEYS[2], ARGV[2])
        if holder and holder ~= ARGV[1] then
          if ARGV[6] ~= '1' then return {2, ver, holder} end
          redis.call('DEL', ARGV[7] .. holder)
          redis.call('ZREM', KEYS[3], holder)
        end
        local old = redis.call('HGET', KEYS[1], 'label')
        if old and old ~= ARGV[2] and redis.call('HGET', KEYS[2], old) == ARGV[1] then
          redis.call('HDEL', KEYS[2], old)
        end
        ver = ver + 1
        redis.call('HSET', KEYS[1], 'label', ARGV[2], 'body', ARGV[3], 'ver', ver)
        schedule(KEYS[1], KEYS[3], ARGV[1], ARGV[4])
        redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
        return {0, ver}
        """;

    // Read one record by id (ARGV[1]) or, when ARGV[1] is '', by label (ARGV[2]).
    // KEYS: 1 labels. ARGV: 1 id, 2 label, 3 record prefix, 4 lock prefix, 5 runs prefix.
    public const string GetRecurring = Helpers + "\n" + ReadRecord + "\n" + """
        local id = ARGV[1]
        if id == '' then
          id = redis.call('HGET', KEYS[1], ARGV[2])
          if not id then return {} end
        end
        local rec = read(id, ARGV[3], ARGV[4], ARGV[5], now_ms())
        if not rec then return {} end
        return rec
        """;

    // Up to ARGV[1] records ordered by label. KEYS: 1 labels. ARGV: 1 limit, 2 record prefix, 3 lock prefix, 4 runs prefix.
    public const string ListRecurring = Helpers + "\n" + ReadRecord + "\n" + """
        local now = now_ms()
        local all = redis.call('HGETALL', KEYS[1])
        local labels = {}
        local ids = {}
        for i = 1, #all, 2 do
          labels[#labels + 1] = all[i]
          ids[all[i]] = all[i + 1]
        end
        table.sort(labels)
        local reply = {}
        local limit = tonumber(ARGV[1])
        local n = 0
        for _, label in ipairs(labels) do
          if n >= limit then break end
          local rec = read(ids[label], ARGV[2], ARGV[3], ARGV[4], now)
          if rec then
            push(reply, rec)
            n = n + 1
          end
        end
        return reply
        """;

    // Record a run going on, or renew it. KEYS: 1 the record's runs. ARGV: 1 run, 2 ttl ms.
    public const string BeginRecurringRun = Helpers + "\n" + """
        local now = now_ms()
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    // Delete a record. KEYS: 1 record, 2 labels, 3 due. ARGV: 1 id. Returns 1 when it existed.
    public const string DeleteRecurring = """
        local label = redis.call('HGET', KEYS[1], 'label')
        redis.call('ZREM', KEYS[3], ARGV[1])
        if not label then return 0 end
        redis.call('DEL', KEYS[1])
        if redis.call('HGET', KEYS[2], label) == ARGV[1] then redis.call('HDEL', KEYS[2], label) end
        return 1
        """;

    // Due records by Redis TIME. KEYS: 1 due. ARGV: 1 limit, 2 record prefix, 3 lock prefix, 4 runs prefix.
    // Returns {now ms, next due ms or false, record...} with seven fields per record.
    public const string DueRecurring = Helpers + "\n" + ReadRecord + "\n" + """
        local now = now_ms()
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
        local reply = {now, false}
        for _, id in ipairs(ids) do
          local rec = read(id, ARGV[2], ARGV[3], ARGV[4], now)
          if rec then push(reply, rec) else redis.call('ZREM', KEYS[1], id) end
        end
        local later = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
        if #later > 0 then reply[2] = later[2] end
        return reply
        """;

    // Fire one run of a record: the message goes to the outbox (see FirePeriodic).
    // KEYS: 1 record, 2 due, 3 the record's lock, 4 outbox, 5 sequence.
    // ARGV: 1 id, 2 expected version, 3 body, 4 next ms or '', 5 queue entry, 6 lock owner or '', 7 lock ttl ms,
    // 8 priority, 9 queue. Returns {0, outbox record} fired, {1} version conflict, {2} busy, {3} missing.
    public const string FireRecurring = ScheduleRecord + "\n" + Outbox + "\n" + """
        local ver = redis.call('HGET', KEYS[1], 'ver')
        if not ver then return {3} end
        if tonumber(ver) ~= tonumber(ARGV[2]) then return {1} end
        if ARGV[6] ~= '' then
          if redis.call('EXISTS', KEYS[3]) == 1 then return {2} end
          redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[7])
        end
        local record = to_outbox(KEYS[4], KEYS[5], ARGV[8], ARGV[9], ARGV[5])
        redis.call('HSET', KEYS[1], 'body', ARGV[3], 'ver', tonumber(ver) + 1)
        schedule(KEYS[1], KEYS[2], ARGV[1], ARGV[4])
        return {0, record}
        """;
}
