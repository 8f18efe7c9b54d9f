using System.Globalization;

namespace TaskQueue.Scheduling;

/// <summary>
/// A schedule built in code the way huey's <c>crontab()</c> builds one, with huey's rules: each field
/// takes <c>*</c>, <c>*/n</c>, <c>m-n</c>, a number, or a comma list of those (a step inside a list,
/// as in <c>1,4,*/6,8-9</c>, is allowed); <c>*/n</c> counts from the field's first value (hours
/// <c>*/6</c> = 0, 6, 12, 18; months <c>*/6</c> = 1, 7); day of week is 0–6 with 0 or 7 for Sunday
/// and takes no <c>*/n</c>; and, unlike classic cron, a time matches only when the day of month AND
/// the day of week both match. Minute precision, in <see cref="TimeZone"/> (UTC by default).
/// </summary>
/// <example><code>var nightly = new Crontab(hour: "3", minute: "0");   // every day at 03:00</code></example>
public sealed class Crontab : ISchedule
{
    private readonly bool[] months, days, weekdays, hours, minutes;

    /// <summary>Builds a crontab; fields default to <c>*</c>.</summary>
    /// <exception cref="ArgumentException">A field is not valid; the message names the field and the piece, and <see cref="ArgumentException.ParamName"/> is the field.</exception>
    public Crontab(string month = "*", string day = "*", string dayOfWeek = "*", string hour = "*", string minute = "*", TimeZoneInfo? timeZone = null)
    {
        months = Field("month", month, 1, 12);
        days = Field("day", day, 1, 31);
        weekdays = Field("dayOfWeek", dayOfWeek, 0, 7, allowStep: false);
        if (weekdays[7]) weekdays[0] = true;
        hours = Field("hour", hour, 0, 23);
        minutes = Field("minute", minute, 0, 59);
        TimeZone = timeZone ?? TimeZoneInfo.Utc;
        Expression = $"{minute} {hour} {day} {month} {dayOfWeek}";
    }

    /// <summary>At minute 0 of every hour (huey's <c>crontab.hourly()</c>).</summary>
    public static Crontab Hourly(TimeZoneInfo? timeZone = null) => new(minute: "0", timeZone: timeZone);

    /// <summary>At midnight every day (huey's <c>crontab.daily()</c>).</summary>
    public static Crontab Daily(TimeZoneInfo? timeZone = null) => new(hour: "0", minute: "0", timeZone: timeZone);

    /// <summary>The fields as <c>minute hour day month dayOfWeek</c> (huey's own syntax, not always valid for Cronos).</summary>
    public string Expression { get; }

    /// <inheritdoc />
    public TimeZoneInfo TimeZone { get; }

    /// <summary>Whether <paramref name="localTime"/> (read as a wall-clock time in <see cref="TimeZone"/>) matches, to the minute.</summary>
    public bool Matches(DateTime localTime)
        => months[localTime.Month] && days[localTime.Day] && weekdays[(int)localTime.DayOfWeek] && hours[localTime.Hour] && minutes[localTime.Minute];

    /// <inheritdoc />
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after)
    {
        var local = TimeZoneInfo.ConvertTime(after, TimeZone).DateTime;
        var t = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified).AddMinutes(1);
        var limit = t.AddYears(8);
        while (t < limit)
        {
            if (!months[t.Month]) { t = new DateTime(t.Year, t.Month, 1).AddMonths(1); continue; }
            if (!days[t.Day] || !weekdays[(int)t.DayOfWeek]) { t = t.Date.AddDays(1); continue; }
            if (!hours[t.Hour]) { t = t.Date.AddHours(t.Hour + 1); continue; }
            if (!minutes[t.Minute] || TimeZone.IsInvalidTime(t)) { t = t.AddMinutes(1); continue; }
            // An ambiguous wall-clock time (a fall-back overlap) runs at its first instance.
            var offset = TimeZone.IsAmbiguousTime(t) ? TimeZone.GetAmbiguousTimeOffsets(t).Max() : TimeZone.GetUtcOffset(t);
            var occurrence = new DateTimeOffset(t, offset);
            if (occurrence > after) return occurrence;
            t = t.AddMinutes(1);
        }
        return null;
    }

    /// <inheritdoc />
    public override string ToString() => TimeZone == TimeZoneInfo.Utc ? Expression : $"{Expression} ({TimeZone.Id})";

    private static bool[] Field(string name, string value, int min, int max, bool allowStep = true)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        var set = new bool[max + 1];
        foreach (var raw in value.Split(','))
        {
            var piece = raw.Trim();
            if (piece == "*")
            {
                for (int i = min; i <= max; i++) set[i] = true;
            }
            else if (piece.StartsWith("*/", StringComparison.Ordinal))
            {
                if (!allowStep) throw Bad(name, piece, "a step (*/n) is not allowed for the day of week");
                int step = Number(name, piece, piece[2..], 1, max);
                for (int i = min; i <= max; i += step) set[i] = true;
            }
            else if (piece.IndexOf('-') is > 0 and var dash)
            {
                int from = Number(name, piece, piece[..dash], min, max), to = Number(name, piece, piece[(dash + 1)..], min, max);
                if (from > to) throw Bad(name, piece, $"the range runs backwards");
                for (int i = from; i <= to; i++) set[i] = true;
            }
            else
            {
                set[Number(name, piece, piece, min, max)] = true;
            }
        }
        return set;
    }

    private static int Number(string name, string piece, string text, int min, int max)
    {
        if (text.Length == 0 || !text.All(char.IsAsciiDigit) || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            throw Bad(name, piece, "use *, */n, m-n, a number, or a comma list of those");
        }
        if (n < min || n > max) throw Bad(name, piece, $"{n} is outside {min}-{max}");
        return n;
    }

    private static ArgumentException Bad(string name, string piece, string why) => new($"crontab {name} '{piece}' is not valid: {why}", name);
}
