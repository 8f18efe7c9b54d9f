using Cronos;

namespace TaskQueue.Scheduling;

/// <summary>
/// A cron expression read by Cronos: 5 fields (minute precision) or 6 fields (a leading seconds
/// field), in a time zone (UTC by default). Cronos's DST rules apply: an occurrence that falls in a
/// spring-forward gap runs at the end of the gap, and one in a fall-back overlap runs once (interval
/// schedules such as <c>*/5</c> run in both halves of the overlap).
/// </summary>
public sealed class CronSchedule : ISchedule
{
    private readonly CronExpression cron;

    private CronSchedule(string expression, CronExpression cron, TimeZoneInfo timeZone)
    {
        Expression = expression;
        this.cron = cron;
        TimeZone = timeZone;
    }

    /// <inheritdoc />
    public string Expression { get; }

    /// <inheritdoc />
    public TimeZoneInfo TimeZone { get; }

    /// <summary>Whether the expression has a seconds field.</summary>
    public bool HasSeconds => !Expression.StartsWith('@') && CountFields(Expression) == 6;

    /// <summary>Parses an expression in a time zone (an IANA or Windows id; UTC when null).</summary>
    /// <exception cref="FormatException">The expression or the time zone is not valid; the message says why.</exception>
    public static CronSchedule Parse(string expression, string? timeZoneId = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var zone = FindTimeZone(timeZoneId);
        var text = expression.Trim();
        int fields = text.StartsWith('@') ? 5 : CountFields(text);
        if (fields is not (5 or 6))
        {
            throw new FormatException($"'{expression}' is not a valid cron expression: it has {fields} fields; expected 5 (minute hour day month day-of-week) or 6 (with a leading seconds field)");
        }
        try
        {
            return new CronSchedule(text, CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard), zone);
        }
        catch (Exception e) when (e is CronFormatException or MissingSeedException or ArgumentException)
        {
            // Cronos reports a hashed field (H) without a seed with its own exception type.
            throw new FormatException($"'{expression}' is not a valid cron expression: {e.Message}", e);
        }
    }

    /// <summary>Parses without throwing; <paramref name="error"/> says why it failed.</summary>
    public static bool TryParse(string expression, string? timeZoneId, out CronSchedule? schedule, out string? error)
    {
        try
        {
            schedule = Parse(expression, timeZoneId);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            schedule = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Finds a time zone by IANA or Windows id; UTC for null or empty.</summary>
    /// <exception cref="FormatException">No such time zone on this machine.</exception>
    public static TimeZoneInfo FindTimeZone(string? timeZoneId)
    {
        if (string.IsNullOrWhiteSpace(timeZoneId) || timeZoneId is "UTC" or "Etc/UTC") return TimeZoneInfo.Utc;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new FormatException($"'{timeZoneId}' is not a known time zone id (use an IANA id such as Europe/Berlin)", e);
        }
    }

    /// <inheritdoc />
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after) => cron.GetNextOccurrence(after, TimeZone, inclusive: false);

    /// <inheritdoc />
    public override string ToString() => TimeZone == TimeZoneInfo.Utc ? Expression : $"{Expression} ({TimeZone.Id})";

    private static int CountFields(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
