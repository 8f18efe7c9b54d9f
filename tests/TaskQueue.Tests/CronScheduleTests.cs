using TaskQueue.Scheduling;

namespace TaskQueue.Tests;

public sealed class CronScheduleTests
{
    private static readonly TimeZoneInfo Berlin = CronSchedule.FindTimeZone("Europe/Berlin");

    [Fact]
    public void Five_fields_run_at_minute_precision()
    {
        var s = CronSchedule.Parse("*/5 * * * *");
        Assert.False(s.HasSeconds);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 10, 5, 0, TimeSpan.Zero), s.GetNextOccurrence(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Six_fields_run_at_second_precision()
    {
        var s = CronSchedule.Parse("*/10 * * * * *");
        Assert.True(s.HasSeconds);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 10, 0, 10, TimeSpan.Zero), s.GetNextOccurrence(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("*/5 * * *", "has 4 fields")]
    [InlineData("61 * * * *", "is not a valid cron expression")]
    [InlineData("* * * * * * *", "has 7 fields")]
    [InlineData("", "has 0 fields")]
    [InlineData("H * * * *", "is not a valid cron expression")]
    public void A_bad_expression_says_why(string expression, string why)
    {
        var e = Assert.Throws<FormatException>(() => CronSchedule.Parse(expression));
        Assert.Contains($"'{expression}' is not a valid cron expression", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void An_unknown_time_zone_is_rejected()
        => Assert.Contains("Mars/Olympus", Assert.Throws<FormatException>(() => CronSchedule.Parse("* * * * *", "Mars/Olympus")).Message);

    [Fact]
    public void A_daily_time_is_read_in_the_schedules_zone()
    {
        var s = CronSchedule.Parse("0 9 * * *", "Europe/Berlin");
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 9, 0, 0, TimeSpan.FromHours(1)), s.GetNextOccurrence(new DateTimeOffset(2026, 1, 15, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 7, 15, 9, 0, 0, TimeSpan.FromHours(2)), s.GetNextOccurrence(new DateTimeOffset(2026, 7, 15, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void An_occurrence_in_the_spring_forward_gap_runs_at_the_end_of_the_gap()
    {
        // Berlin skips 02:00-03:00 on 2026-03-29.
        var s = CronSchedule.Parse("30 2 * * *", "Europe/Berlin");
        var next = s.GetNextOccurrence(new DateTimeOffset(2026, 3, 29, 0, 0, 0, TimeSpan.FromHours(1)));
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2)), next);
    }

    [Fact]
    public void A_daily_occurrence_in_the_fall_back_overlap_runs_once()
    {
        // Berlin repeats 02:00-03:00 on 2026-10-25.
        var s = CronSchedule.Parse("30 2 * * *", "Europe/Berlin");
        var first = s.GetNextOccurrence(new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.FromHours(2)))!.Value;
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.FromHours(2)), first);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 2, 30, 0, TimeSpan.FromHours(1)), s.GetNextOccurrence(first));
    }

    [Fact]
    public void An_interval_schedule_runs_through_both_halves_of_the_overlap()
    {
        var s = CronSchedule.Parse("0 * * * *", "Europe/Berlin");
        var t = new DateTimeOffset(2026, 10, 25, 1, 30, 0, TimeSpan.FromHours(2));
        var seen = new List<DateTimeOffset>();
        for (int i = 0; i < 3; i++) seen.Add((t = s.GetNextOccurrence(t)!.Value));
        Assert.Equal([
            new DateTimeOffset(2026, 10, 25, 2, 0, 0, TimeSpan.FromHours(2)),
            new DateTimeOffset(2026, 10, 25, 2, 0, 0, TimeSpan.FromHours(1)),
            new DateTimeOffset(2026, 10, 25, 3, 0, 0, TimeSpan.FromHours(1)),
        ], seen);
        Assert.Equal(TimeSpan.FromHours(1), seen[1] - seen[0]);
    }

    [Fact]
    public void Macros_are_accepted()
        => Assert.Equal(new DateTimeOffset(2026, 1, 1, 11, 0, 0, TimeSpan.Zero), CronSchedule.Parse("@hourly").GetNextOccurrence(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void The_zone_shows_in_the_text()
        => Assert.Equal("0 9 * * * (Europe/Berlin)", CronSchedule.Parse("0 9 * * *", "Europe/Berlin").ToString());
}
