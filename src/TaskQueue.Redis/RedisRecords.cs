using System.Buffers.Text;
using System.Globalization;
using System.Text;
using TaskQueue.Storage;

namespace TaskQueue.Redis;

/// <summary>
/// Reads and writes the values stored in Redis (the formats are listed on <see cref="RedisKeys"/>);
/// the Lua scripts read and write the same formats.
/// </summary>
internal static class RedisRecords
{
    /// <summary>The most deliveries a queue entry can count (one byte).</summary>
    public const int MaxDeliveries = 255;

    /// <summary>A queue entry: one byte of delivery count, then the message.</summary>
    public static byte[] Entry(ReadOnlySpan<byte> message, int deliveries = 0)
    {
        var entry = new byte[message.Length + 1];
        entry[0] = (byte)Math.Clamp(deliveries, 0, MaxDeliveries);
        message.CopyTo(entry.AsSpan(1));
        return entry;
    }

    /// <summary>The message inside a queue entry, without copying.</summary>
    public static ReadOnlyMemory<byte> MessageOf(byte[] entry) => entry.AsMemory(1);

    /// <summary>A schedule member of queue <paramref name="queue"/>: <c>&lt;uid&gt;|&lt;priority&gt;|&lt;message&gt;</c>.</summary>
    public static ScheduledMessage ParseScheduled(byte[] member, double etaMs, string queue)
    {
        var span = member.AsSpan();
        SkipField(ref span, out _);
        SkipField(ref span, out _);
        return new ScheduledMessage(queue, FromUnixMs((long)etaMs), span.ToArray());
    }

    /// <summary>
    /// A dead-letter member of queue (partition) <paramref name="partition"/>:
    /// <c>&lt;n&gt;|&lt;at ms&gt;|&lt;queue length&gt;|&lt;reason length&gt;|&lt;queue&gt;&lt;reason&gt;&lt;message&gt;</c>.
    /// Its id is <c>&lt;partition&gt;/&lt;n&gt;</c>.
    /// </summary>
    public static DeadLetter ParseDeadLetter(byte[] member, string partition)
    {
        var span = member.AsSpan();
        long id = ReadNumber(ref span);
        long at = ReadNumber(ref span);
        int queueLength = (int)ReadNumber(ref span);
        int reasonLength = (int)ReadNumber(ref span);
        string queue = Encoding.UTF8.GetString(span[..queueLength]);
        string reason = Encoding.UTF8.GetString(span.Slice(queueLength, reasonLength));
        var message = span[(queueLength + reasonLength)..].ToArray();
        return new DeadLetter(partition + "/" + id.ToString(CultureInfo.InvariantCulture), queue, reason, FromUnixMs(at), message);
    }

    /// <summary>The number of a dead-letter member (its score).</summary>
    public static long DeadLetterNumber(byte[] member)
    {
        var span = member.AsSpan();
        return ReadNumber(ref span);
    }

    /// <summary>A revocation record: <c>&lt;until ms or empty&gt;|&lt;once 0/1&gt;</c>.</summary>
    public static string FormatRevocation(Revocation revocation)
        => (revocation.Until is { } until ? until.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : "")
           + (revocation.Once ? "|1" : "|0");

    /// <inheritdoc cref="FormatRevocation"/>
    public static Revocation ParseRevocation(string record)
    {
        int bar = record.IndexOf('|', StringComparison.Ordinal);
        DateTimeOffset? until = bar > 0 ? FromUnixMs(long.Parse(record.AsSpan(0, bar), CultureInfo.InvariantCulture)) : null;
        return new Revocation(until, record.AsSpan(bar + 1) is "1");
    }

    /// <summary>Milliseconds for a Redis argument, rounded up so that a positive span never becomes 0.</summary>
    public static long CeilingMs(TimeSpan span) => (long)Math.Ceiling(span.TotalMilliseconds);

    /// <summary>A time from Unix milliseconds.</summary>
    public static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static long ReadNumber(ref Span<byte> span)
    {
        SkipField(ref span, out var field);
        if (!Utf8Parser.TryParse(field, out long value, out int used) || used != field.Length)
        {
            throw new FormatException($"Unexpected record in Redis: '{Encoding.UTF8.GetString(field)}' is not a number.");
        }
        return value;
    }

    private static void SkipField(ref Span<byte> span, out Span<byte> field)
    {
        int bar = span.IndexOf((byte)'|');
        if (bar < 0) throw new FormatException("Unexpected record in Redis: a '|' is missing.");
        field = span[..bar];
        span = span[(bar + 1)..];
    }
}
