using System.Text;
using StackExchange.Redis;

namespace TaskQueue.Redis;

/// <summary>
/// Builds every Redis key of one application. All of them share the hash tag
/// <c>{tq:&lt;application&gt;}</c>, so one application's keys sit in one cluster slot and every Lua
/// script runs unchanged on Redis Cluster.
/// </summary>
/// <remarks>
/// <para>The layout, for application <c>myapp</c> (<c>P</c> = <c>{tq:myapp}:</c>):</para>
/// <list type="table">
///   <listheader><term>Key</term><description>Type and content</description></listheader>
///   <item><term><c>P q:&lt;queue&gt;</c></term><description>List: the ready queue, head first. Each entry is one byte of
///   delivery count followed by the message bytes (messages live inline; there is no key per message).</description></item>
///   <item><term><c>P p:&lt;consumer&gt;</c></term><description>Hash: the consumer's in-flight records. Field
///   <c>&lt;seq&gt;|&lt;queue&gt;</c> (the receipt), value the queue entry as it was taken.</description></item>
///   <item><term><c>P consumers</c></term><description>Set: ids of consumers that may hold in-flight records (what the reaper walks).</description></item>
///   <item><term><c>P hb:&lt;consumer&gt;</c></term><description>String with a PX expiry: the consumer's heartbeat.</description></item>
///   <item><term><c>P schedule</c></term><description>Sorted set scored by eta (Unix ms). Member
///   <c>&lt;uid:12 hex&gt;|&lt;queue byte length&gt;|&lt;queue&gt;&lt;message&gt;</c>; the uid keeps identical messages apart.</description></item>
///   <item><term><c>P r:&lt;task id&gt;</c></term><description>String, optionally with a PX expiry: a task's encoded result.</description></item>
///   <item><term><c>P revoked</c></term><description>Hash: revoked target (task id or name) → <c>&lt;until Unix ms or empty&gt;|&lt;once 0/1&gt;</c>.</description></item>
///   <item><term><c>P dead</c></term><description>Sorted set scored by dead-letter id (newest = highest). Member
///   <c>&lt;id&gt;|&lt;at Unix ms&gt;|&lt;queue length&gt;|&lt;reason length&gt;|&lt;queue&gt;&lt;reason&gt;&lt;message&gt;</c> (lengths in bytes).</description></item>
///   <item><term><c>P sent:&lt;producer&gt;:&lt;block&gt;</c></term><description>Bitmap with a PX expiry: bit <c>n mod 65536</c>
///   is set by the send <c>n</c> of the producer (the sends <c>block × 65536</c> onwards), so that a retried send stores nothing twice.</description></item>
///   <item><term><c>P rr:&lt;record id&gt;</c></term><description>Sorted set with a PX expiry: the runs of a recurring record that
///   workers are running now, scored by when the record of the run expires (Unix ms).</description></item>
///   <item><term><c>P ci:&lt;consumer&gt;</c>, <c>P ci-index</c></term><description>A consumer's description (string with a PX
///   expiry, written with its heartbeat) and the sorted set of consumer ids by expiry.</description></item>
///   <item><term><c>P st:m:&lt;Unix minute&gt;</c>, <c>P st:h:&lt;Unix hour&gt;</c></term><description>Hashes: counter → count,
///   kept 2 and 25 hours.</description></item>
///   <item><term><c>P periodic-paused</c></term><description>Set: the paused periodic tasks.</description></item>
///   <item><term><c>P seq</c></term><description>String counter: receipts, schedule uids and dead-letter ids.</description></item>
/// </list>
/// <para>
/// Scripts that find keys by reading data (a queue named in a scheduled member, a consumer named in
/// the set) build them from the prefixes passed in as arguments, so the layout is written only here.
/// </para>
/// </remarks>
internal sealed class RedisKeys
{
    private readonly string prefix;

    /// <summary>Creates the keys of <paramref name="applicationName"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty or contains a brace (it would break the hash tag).</exception>
    public RedisKeys(string applicationName)
    {
        RedisStorageOptions.ValidateApplicationName(applicationName);
        ApplicationName = applicationName;
        prefix = "{tq:" + applicationName + "}:";
        Consumers = prefix + "consumers";
        Schedule = prefix + "schedule";
        Revocations = prefix + "revoked";
        RevocationEnds = prefix + "revoked-ends";
        DeadLetters = prefix + "dead";
        Sequence = prefix + "seq";
        Periodic = prefix + "periodic";
        RecurringLabels = prefix + "rt-labels";
        RecurringDue = prefix + "rt-due";
    }

    /// <summary>The application these keys belong to.</summary>
    public string ApplicationName { get; }

    /// <summary>What every key of the application starts with: <c>{tq:&lt;application&gt;}:</c>.</summary>
    public string Prefix => prefix;

    /// <summary>What every queue key starts with.</summary>
    public string QueuePrefix => prefix + "q:";

    /// <summary>What every in-flight record key starts with.</summary>
    public string ProcessingPrefix => prefix + "p:";

    /// <summary>What every heartbeat key starts with.</summary>
    public string HeartbeatPrefix => prefix + "hb:";

    /// <summary>What every result key starts with.</summary>
    public string ResultPrefix => prefix + "r:";

    /// <summary>The set of consumers that may hold in-flight records.</summary>
    public RedisKey Consumers { get; }

    /// <summary>The schedule.</summary>
    public RedisKey Schedule { get; }

    /// <summary>The revocation records.</summary>
    public RedisKey Revocations { get; }

    /// <summary>When each revocation record may be dropped (a sorted set of targets, scored in Unix ms).</summary>
    public RedisKey RevocationEnds { get; }

    /// <summary>The dead letters.</summary>
    public RedisKey DeadLetters { get; }

    /// <summary>The counter behind receipts, schedule uids and dead-letter ids.</summary>
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

    /// <summary>What the take with <paramref name="token"/> took, kept for a minute so that a retry of a take whose reply was lost gets the same records.</summary>
    public RedisKey TakeToken(string token) => prefix + "tk:" + token;

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

    /// <summary>How many sends one <see cref="Sent"/> bitmap covers.</summary>
    public const int SendsPerBitmap = 65536;

    /// <summary>The bitmap that remembers send <paramref name="sequence"/> of <paramref name="producer"/>.</summary>
    public RedisKey Sent(string producer, long sequence)
        => prefix + "sent:" + producer + ":" + (sequence / SendsPerBitmap).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The key of recurring-task record <paramref name="id"/>.</summary>
    public RedisKey Recurring(string id) => RecurringPrefix + id;

    /// <summary>The ready queue <paramref name="queue"/>.</summary>
    public RedisKey Queue(string queue) => QueuePrefix + queue;

    /// <summary>The in-flight records of <paramref name="consumerId"/>.</summary>
    public RedisKey Processing(string consumerId) => ProcessingPrefix + consumerId;

    /// <summary>The heartbeat of <paramref name="consumerId"/>.</summary>
    public RedisKey Heartbeat(string consumerId) => HeartbeatPrefix + consumerId;

    /// <summary>The stored result of task <paramref name="taskId"/>.</summary>
    public RedisKey Result(string taskId) => ResultPrefix + taskId;

    /// <summary>A SCAN pattern matching every key of the application.</summary>
    public RedisValue AllKeysPattern => EscapeGlob(prefix) + "*";

    /// <summary>A SCAN pattern matching every result key of the application.</summary>
    public RedisValue ResultKeysPattern => EscapeGlob(ResultPrefix) + "*";

    /// <summary>The task id of a result key found by <see cref="ResultKeysPattern"/>.</summary>
    public string TaskIdOf(RedisKey resultKey) => ((string)resultKey!)[ResultPrefix.Length..];

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
