using MessagePack;
using TaskQueue.Messages;

namespace TaskQueue;

/// <summary>
/// How the delay before a retry grows: each retry waits <see cref="Factor"/> times the previous delay,
/// at most <see cref="MaxDelay"/>, and with <see cref="Jitter"/> a random part of it (full jitter: between
/// half the delay and the delay), so that many failing runs do not retry in step.
/// </summary>
/// <param name="Factor">What each retry's delay is multiplied by; 1 keeps it fixed, 2 doubles it. At least 1.</param>
/// <param name="MaxDelay">The longest delay; null for no limit.</param>
/// <param name="Jitter">Whether each delay is drawn between half of it and all of it.</param>
public sealed record RetryBackoff(double Factor, TimeSpan? MaxDelay = null, bool Jitter = false)
{
    /// <summary>Exponential backoff: the delay doubles on each retry, up to <paramref name="maxDelay"/>, with jitter.</summary>
    /// <param name="maxDelay">The longest delay; null for no limit.</param>
    public static RetryBackoff Exponential(TimeSpan? maxDelay = null) => new(2, maxDelay, true);

    /// <summary>The delay of the retry after one that waited <paramref name="previous"/> (before jitter).</summary>
    public TimeSpan Next(TimeSpan previous)
    {
        double ms = previous.TotalMilliseconds * Math.Max(1, Factor);
        double max = MaxDelay is { } m ? m.TotalMilliseconds : TimeSpan.MaxValue.TotalMilliseconds / 2;
        return TimeSpan.FromMilliseconds(Math.Min(ms, max));
    }

    /// <summary>The delay to wait now for a nominal <paramref name="delay"/>: itself, or with <see cref="Jitter"/> a random time between half of it and all of it.</summary>
    public TimeSpan Apply(TimeSpan delay)
        => Jitter && delay > TimeSpan.Zero ? TimeSpan.FromMilliseconds(delay.TotalMilliseconds * (0.5 + Random.Shared.NextDouble() / 2)) : delay;

    internal static void Write(ref MessagePackWriter w, RetryBackoff? backoff)
    {
        if (backoff is null)
        {
            w.WriteNil();
            return;
        }
        w.WriteArrayHeader(3);
        w.Write(backoff.Factor);
        if (backoff.MaxDelay is { } max) w.Write((long)max.TotalMilliseconds);
        else w.WriteNil();
        w.Write(backoff.Jitter);
    }

    internal static RetryBackoff? Read(ref MessagePackReader r)
    {
        if (r.TryReadNil()) return null;
        int count = r.ReadArrayHeader();
        if (count < 3) throw new TaskPayloadException($"the message's backoff has {count} fields; expected 3");
        double factor = r.ReadDouble();
        if (!(factor >= 1 && factor <= 1000)) throw new TaskPayloadException($"the message's backoff factor {factor} is not between 1 and 1000");
        TimeSpan? max = r.TryReadNil() ? null : TimeSpan.FromMilliseconds(r.ReadInt64());
        bool jitter = r.ReadBoolean();
        for (int i = 3; i < count; i++) r.Skip();
        return new RetryBackoff(factor, max, jitter);
    }
}
