using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace TaskQueue.Redis;

/// <summary>
/// Builds every Redis key of one application. Keys fall in three kinds of hash tag, so that on Redis
/// Cluster each queue lives in a slot of its own and queues spread over the shards, while every Lua
/// script still touches keys of one slot only:
/// <list type="bullet">
///   <item><c>{tq:&lt;app&gt;}</c>: what the whole application shares (revocations, periodic claims,
///   recurring records, locks, heartbeats, counters, the queue registry, the outbox);</item>
///   <item><c>{tq:&lt;app&gt;:q:&lt;queue&gt;}</c>: one queue's ready lists, in-flight records, schedule,
///   dead letters and send memos (<see cref="QueueKeys"/>); a partitioned queue has one per partition;</item>
///   <item><c>{tq:&lt;app&gt;:r:&lt;task id&gt;}</c>: one result each, so that results spread too.</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>The application's keys (<c>A</c> = <c>{tq:myapp}:</c>):</para>
/// <list type="table">
///   <listheader><term>Key</term><description>Type and content</description></listheader>
///   <item><term><c>A queues</c></term><description>Set: every queue (partition) that has been written to or taken from: what the
///   reaper, the promoter and inspection walk.</description></item>
///   <item><term><c>A hb:&lt;consumer&gt;</c></term><description>String with a PX expiry: the consumer's heartbeat.</description></item>
///   <item><term><c>A outbox</c></term><description>List: messages fired by a periodic task or a recurring record, on their way to
///   their queue (a queue is another slot, so the fire records the message here in its own atomic step, and a relay moves it
///   with the queue's send memo, once). Entry <c>&lt;id&gt;|&lt;priority&gt;|&lt;queue byte length&gt;|&lt;queue&gt;&lt;entry&gt;</c>.</description></item>
///   <item><term><c>A revoked</c>, <c>A revoked-ends</c></term><description>Hash: revoked target (task id or name) → <c>&lt;until Unix ms or empty&gt;|&lt;once 0/1&gt;</c>;
///   and when each may be dropped.</description></item>
///   <item><term><c>A cancel</c>, <c>A cancel-ends</c></term><description>Hash: task id → when its cancel request expires (Unix ms), for
///   <c>TaskApp.CancelAsync</c>; and a sorted set of the same ids scored by that time, by which expired requests are dropped.</description></item>
///   <item><term><c>A seq</c></term><description>String counter: revocation versions and outbox ids.</description></item>
///   <item><term><c>A periodic</c>, <c>A periodic-paused</c></term><description>Hash: periodic task → last occurrence fired (Unix ms); set of paused ones.</description></item>
///   <item><term><c>A chord:&lt;id&gt;</c></term><description>Hash with a PX expiry: the stored results of a chord's finished members, by member index.</description></item>
///   <item><term><c>A rt:&lt;id&gt;</c>, <c>A rt-labels</c>, <c>A rt-due</c>, <c>A rr:&lt;id&gt;</c></term><description>Recurring records, their labels, when each is
///   due, and the runs of each going on now.</description></item>
///   <item><term><c>A lock:&lt;name&gt;</c></term><description>Locks (strings holding the owner, with an expiry). <c>lock:recurring:&lt;id&gt;</c>
///   is held by a run of a no-overlap recurring record, <c>lock:app:&lt;name&gt;</c> by a run of a task with a lock or by
///   <c>TaskApp.Locks</c>.</description></item>
///   <item><term><c>A rate:&lt;name&gt;</c></term><description>Sorted set with a PX expiry of one period: the starts of a rate
///   limit's last period (member <c>&lt;ms&gt;:&lt;n&gt;</c>, scored in Unix ms). <c>rate:task:&lt;task&gt;</c> for a task's
///   limit, <c>rate:app:&lt;name&gt;</c> for <c>TaskApp.RateLimits</c>.</description></item>
///   <item><term><c>A ci:&lt;consumer&gt;</c>, <c>A ci-index</c>, <c>A st:m:&lt;minute&gt;</c>, <c>A st:h:&lt;hour&gt;</c></term><description>Consumers'
///   descriptions and the counters of the monitoring read model.</description></item>
/// </list>
/// <para>
/// A queue's keys are listed on <see cref="QueueKeys"/>; a result is a string, optionally with a PX
/// expiry, under <c>{tq:&lt;app&gt;:r:&lt;task id&gt;}</c>. Scripts that find keys by reading data (a
/// consumer named in a set, a priority named in a sorted set) build them from prefixes passed in as
/// arguments, so the layout is written only here.
/// </para>
/// </remarks>
internal sealed class RedisKeys
{
    private readonly string prefix;
    private readonly ConcurrentDictionary<string, QueueKeys> queues = new(StringComparer.Ordinal);

    /// <summary>Creates the keys of <paramref name="applicationName"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains a brace, or contains <c>:q:</c> or <c>:r:</c>.</exception>
    public RedisKeys(string applicationName)
    {
        RedisStorageOptions.ValidateApplicationName(applicationName);
        ApplicationName = applicationName;
        prefix = "{tq:" + applicationName + "}:";
        QueueTagPrefix = "{tq:" + applicationName + ":q:";
        ResultTagPrefix = "{tq:" + applicationName + ":r:";
        Queues = prefix + "queues";
        Outbox = prefix + "outbox";
        Revocations = prefix + "revoked";
        RevocationEnds = prefix + "revoked-ends";
        Sequence = prefix + "seq";
        Periodic = prefix + "periodic";
        RecurringLabels = prefix + "rt-labels";
        RecurringDue = prefix + "rt-due";
    }

    /// <summary>The application these keys belong to.</summary>
    public string ApplicationName { get; }

    /// <summary>What every key of the application's own slot starts with: <c>{tq:&lt;application&gt;}:</c>.</summary>
    public string Prefix => prefix;

    /// <summary>What every queue's hash tag starts with: <c>{tq:&lt;application&gt;:q:</c>.</summary>
    public string QueueTagPrefix { get; }

    /// <summary>What every result key starts with: <c>{tq:&lt;application&gt;:r:</c>.</summary>
    public string ResultTagPrefix { get; }

    /// <summary>The keys of queue (or partition) <paramref name="queue"/>, made once and kept.</summary>
    public QueueKeys Of(string queue) => queues.TryGetValue(queue, out var found) ? found : queues.GetOrAdd(queue, q => new QueueKeys(QueueTagPrefix, q));

    /// <summary>The default ready list of queue <paramref name="queue"/> (where an enqueue without a priority goes).</summary>
    public RedisKey Queue(string queue) => Of(queue).Ready;

    /// <summary>Set: every queue (partition) in use.</summary>
    public RedisKey Queues { get; }

    /// <summary>List: fired messages on their way to their queues.</summary>
    public RedisKey Outbox { get; }

    /// <summary>What every heartbeat key starts with.</summary>
    public string HeartbeatPrefix => prefix + "hb:";

    /// <summary>The revocation records.</summary>
    public RedisKey Revocations { get; }

    /// <summary>When each revocation record may be dropped (a sorted set of targets, scored in Unix ms).</summary>
    public RedisKey RevocationEnds { get; }

    /// <summary>Hash: task id → when its cancel request expires (Unix ms).</summary>
    public RedisKey CancelRequests => prefix + "cancel";

    /// <summary>Sorted set: the ids of <see cref="CancelRequests"/>, scored by when each expires (Unix ms).</summary>
    public RedisKey CancelRequestEnds => prefix + "cancel-ends";

    /// <summary>The application's counter: revocation versions and outbox ids.</summary>
    public RedisKey Sequence { get; }

    /// <summary>Hash: periodic task name → the last occurrence fired (Unix ms).</summary>
    public RedisKey Periodic { get; }

    /// <summary>Prefix of lock keys (strings holding the owner, with an expiry).</summary>
    public string LockPrefix => prefix + "lock:";

    /// <summary>Prefix of recurring-task records (hashes: label, body, next, ver).</summary>
    public string RecurringPrefix => prefix + "rt:";

    /// <summary>Hash: recurring-task label → record id.</summary>
    public RedisKey RecurringLabels { get; }

    /// <summary>Sorted set: recurring-task record id, scored by its next run (Unix ms).</summary>
    public RedisKey RecurringDue { get; }

    /// <summary>Sorted set: the starts of rate limit <paramref name="name"/> in its last period.</summary>
    public RedisKey RateLimit(string name) => prefix + "rate:" + name;

    /// <summary>The key of lock <paramref name="name"/>.</summary>
    public RedisKey Lock(string name) => LockPrefix + name;

    /// <summary>What the lock of a no-overlap recurring record starts with (the record id follows).</summary>
    public string RecurringLockPrefix => LockPrefix + RecurringTasks.LockName("");

    /// <summary>The lock held by a run of the no-overlap recurring record <paramref name="id"/>.</summary>
    public RedisKey RecurringLock(string id) => Lock(RecurringTasks.LockName(id));

    /// <summary>Set: names of the paused periodic tasks.</summary>
    public RedisKey PausedPeriodic => prefix + "periodic-paused";

    /// <summary>Prefix of consumers' descriptions (strings with a PX expiry).</summary>
    public string ConsumerDescriptionPrefix => prefix + "ci:";

    /// <summary>The description of consumer <paramref name="consumerId"/>.</summary>
    public RedisKey ConsumerDescription(string consumerId) => ConsumerDescriptionPrefix + consumerId;

    /// <summary>Sorted set: consumer ids scored by when their description expires (Unix ms).</summary>
    public RedisKey ConsumerIndex => prefix + "ci-index";

    /// <summary>Prefix of the minute counters (hashes: counter name → count), followed by the Unix minute.</summary>
    public string MinuteStatsPrefix => prefix + "st:m:";

    /// <summary>Prefix of the hour counters, followed by the Unix hour.</summary>
    public string HourStatsPrefix => prefix + "st:h:";

    /// <summary>A key of the counters' slot, passed to their scripts so that a cluster routes them (never written).</summary>
    public RedisKey StatsAnchor => prefix + "st";

    /// <summary>Prefix of the sets of runs going on (sorted sets: run → expiry ms), one per recurring record.</summary>
    public string RecurringRunsPrefix => prefix + "rr:";

    /// <summary>The runs of recurring record <paramref name="id"/> that workers are running now.</summary>
    public RedisKey RecurringRuns(string id) => RecurringRunsPrefix + id;

    /// <summary>Hash: the results of chord <paramref name="chordId"/>'s members that finished, by member index.</summary>
    public RedisKey Chord(string chordId) => prefix + "chord:" + chordId;

    /// <summary>The key of recurring-task record <paramref name="id"/>.</summary>
    public RedisKey Recurring(string id) => RecurringPrefix + id;

    /// <summary>The heartbeat of <paramref name="consumerId"/>.</summary>
    public RedisKey Heartbeat(string consumerId) => HeartbeatPrefix + consumerId;

    /// <summary>The stored result of task <paramref name="taskId"/>: a hash tag of its own, so that results spread over a cluster.</summary>
    public RedisKey Result(string taskId) => ResultTagPrefix + taskId + "}";

    /// <summary>SCAN patterns that together match every key of the application and no other application's.</summary>
    public RedisValue[] AllKeysPatterns => [EscapeGlob(prefix) + "*", EscapeGlob(QueueTagPrefix) + "*", ResultKeysPattern];

    /// <summary>A SCAN pattern matching every result key of the application.</summary>
    public RedisValue ResultKeysPattern => EscapeGlob(ResultTagPrefix) + "*";

    /// <summary>The task id of a result key found by <see cref="ResultKeysPattern"/>.</summary>
    public string TaskIdOf(RedisKey resultKey)
    {
        string key = resultKey!;
        return key[ResultTagPrefix.Length..^1];
    }

    /// <summary>A SCAN pattern matching every key that starts with <paramref name="prefix"/>.</summary>
    public static RedisValue PrefixPattern(string prefix) => EscapeGlob(prefix) + "*";

    private static string EscapeGlob(string text)
    {
        var sb = new StringBuilder(text.Length + 4);
        foreach (char c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}

/// <summary>
/// The keys of one queue (or one partition of a queue), all under its hash tag
/// <c>{tq:&lt;app&gt;:q:&lt;queue&gt;}</c> (<c>Q</c> below), so that every script on a queue runs in one slot.
/// </summary>
/// <remarks>
/// <list type="table">
///   <listheader><term>Key</term><description>Type and content</description></listheader>
///   <item><term><c>Q ready</c></term><description>List: the ready messages of priority 0, head first. Each entry is one byte
///   of delivery count followed by the message bytes (messages live inline; there is no key per message). An empty entry is
///   a wake-up marker (see below).</description></item>
///   <item><term><c>Q ready:&lt;priority&gt;</c>, <c>Q prio</c></term><description>Lists of the ready messages of each other
///   priority, and the sorted set of the priorities that have one. A message of another priority also pushes an empty entry
///   onto an empty <c>Q ready</c> (and sets <c>Q marked</c>), so that a take blocked on <c>Q ready</c> wakes; takes skip it.</description></item>
///   <item><term><c>Q p:&lt;consumer&gt;</c></term><description>Hash: the consumer's in-flight records of this queue. Field
///   <c>&lt;seq&gt;|&lt;taken ms&gt;|&lt;priority&gt;|&lt;queue&gt;</c> (the receipt), value the entry as it was taken.</description></item>
///   <item><term><c>Q consumers</c></term><description>Set: consumers that may hold in-flight records of this queue.</description></item>
///   <item><term><c>Q schedule</c></term><description>Sorted set scored by eta (Unix ms). Member
///   <c>&lt;uid:12 hex&gt;|&lt;priority&gt;|&lt;message&gt;</c>; the uid keeps identical messages apart.</description></item>
///   <item><term><c>Q dead</c></term><description>Sorted set scored by dead-letter number (newest = highest). Member
///   <c>&lt;n&gt;|&lt;at Unix ms&gt;|&lt;queue length&gt;|&lt;reason length&gt;|&lt;queue&gt;&lt;reason&gt;&lt;message&gt;</c>. A dead letter's id is <c>&lt;queue&gt;/&lt;n&gt;</c>.</description></item>
///   <item><term><c>Q sent:&lt;producer&gt;:&lt;block&gt;</c></term><description>Bitmap with a PX expiry: bit <c>n mod 65536</c>
///   is set by the send <c>n</c> of the producer, so that a retried send stores nothing twice.</description></item>
///   <item><term><c>Q tk:&lt;token&gt;</c></term><description>What a take took, kept a minute, so that a retried take returns the same records.</description></item>
///   <item><term><c>Q u:&lt;key&gt;</c></term><description>String with a PX expiry: a unique send's key (a pipeline step's id, a deduplication key),
///   holding the send's value (a deduplicated send's task id).</description></item>
///   <item><term><c>Q seq</c></term><description>String counter: receipts, schedule uids and dead-letter numbers.</description></item>
/// </list>
/// </remarks>
internal sealed class QueueKeys
{
    private readonly string tag;

    /// <summary>Creates the keys of <paramref name="queue"/> under <c>&lt;tagPrefix&gt;&lt;queue&gt;}</c>.</summary>
    public QueueKeys(string tagPrefix, string queue)
    {
        Name = queue;
        tag = tagPrefix + queue + "}:";
        Ready = tag + "ready";
        ReadyPrefix = tag + "ready:";
        Priorities = tag + "prio";
        Marked = tag + "marked";
        Consumers = tag + "consumers";
        Schedule = tag + "schedule";
        DeadLetters = tag + "dead";
        Sequence = tag + "seq";
    }

    /// <summary>The queue's (or partition's) name.</summary>
    public string Name { get; }

    /// <summary>The ready list of priority 0.</summary>
    public RedisKey Ready { get; }

    /// <summary>What the ready list of another priority starts with (the priority follows).</summary>
    public string ReadyPrefix { get; }

    /// <summary>The ready list of <paramref name="priority"/>.</summary>
    public RedisKey ReadyOf(int priority) => priority == 0 ? Ready : (RedisKey)(ReadyPrefix + priority.ToString(CultureInfo.InvariantCulture));

    /// <summary>Sorted set of the priorities other than 0 that have a ready list.</summary>
    public RedisKey Priorities { get; }

    /// <summary>Set while <see cref="Ready"/> holds a wake-up marker.</summary>
    public RedisKey Marked { get; }

    /// <summary>What every in-flight record key starts with.</summary>
    public string ProcessingPrefix => tag + "p:";

    /// <summary>The in-flight records of <paramref name="consumerId"/> taken from this queue.</summary>
    public RedisKey Processing(string consumerId) => ProcessingPrefix + consumerId;

    /// <summary>The consumers that may hold in-flight records of this queue.</summary>
    public RedisKey Consumers { get; }

    /// <summary>The queue's schedule.</summary>
    public RedisKey Schedule { get; }

    /// <summary>The queue's dead letters.</summary>
    public RedisKey DeadLetters { get; }

    /// <summary>The queue's counter.</summary>
    public RedisKey Sequence { get; }

    /// <summary>What the take with <paramref name="token"/> took.</summary>
    public RedisKey TakeToken(string token) => tag + "tk:" + token;

    /// <summary>A key held by a unique send (a pipeline step's id, a deduplication key) until released or expired.</summary>
    public RedisKey Unique(string key) => tag + "u:" + key;

    /// <summary>How many sends one <see cref="Sent"/> bitmap covers.</summary>
    public const int SendsPerBitmap = 65536;

    /// <summary>The bitmap that remembers send <paramref name="sequence"/> of <paramref name="producer"/>.</summary>
    public RedisKey Sent(string producer, long sequence)
        => tag + "sent:" + producer + ":" + (sequence / SendsPerBitmap).ToString(CultureInfo.InvariantCulture);
}
