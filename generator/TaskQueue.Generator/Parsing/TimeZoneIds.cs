using System;

namespace TaskQueue.Generator.Parsing;

/// <summary>
/// Checks a <c>[PeriodicTask(TimeZone = ...)]</c> id against the time zones of the machine that compiles,
/// as the runtime looks them up (<c>TimeZoneInfo.FindSystemTimeZoneById</c>, with <c>UTC</c> and
/// <c>Etc/UTC</c> always known).
/// </summary>
internal static class TimeZoneIds
{
    /// <summary>
    /// Whether this compiler's host resolves IANA ids at all. A .NET Framework host (Visual Studio's
    /// in-process compiler on Windows) knows only Windows ids, and would reject <c>Europe/Berlin</c>,
    /// which the application's runtime finds; there the check is skipped rather than wrong.
    /// </summary>
    private static readonly Lazy<bool> HostKnowsIanaIds = new(() => Exists("Europe/London") || Exists("America/New_York"));

    /// <summary>False only when <paramref name="id"/> is certainly not a time zone id the runtime finds.</summary>
    public static bool IsKnown(string id)
    {
        if (id is "UTC" or "Etc/UTC") return true;
        return Exists(id) || !HostKnowsIanaIds.Value;
    }

    private static bool Exists(string id)
    {
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or System.Security.SecurityException)
        {
            return false;
        }
    }
}
