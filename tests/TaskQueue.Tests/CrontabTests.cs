using TaskQueue.Scheduling;

namespace TaskQueue.Tests;

/// <summary>huey's own crontab cases (tests/test_crontab.py), with huey's semantics.</summary>
public sealed class CrontabTests
{
    [Fact]
    public void Month_accepts_a_step_inside_a_list()
    {
        int[] valid = [1, 4, 7, 8, 9];
        var c = new Crontab(month: "1,4,*/6,8-9");
        for (int m = 1; m <= 12; m++) Assert.Equal(valid.Contains(m), c.Matches(new DateTime(2011, m, 1)));
    }

    [Fact]
    public void Day_steps_count_from_the_first()
    {
        int[] valid = [1, 4, 7, 8, 9, 13, 19, 25, 31];
        var c = new Crontab(day: "*/6,1,4,8-9");
        for (int d = 1; d <= 31; d++) Assert.Equal(valid.Contains(d), c.Matches(new DateTime(2011, 1, d)));
        var tenth = new Crontab(day: "*/10");
        for (int d = 1; d <= 31; d++) Assert.Equal(d is 1 or 11 or 21 or 31, tenth.Matches(new DateTime(2011, 1, d)));
        for (int d = 1; d <= 28; d++) Assert.Equal(d is 1 or 11 or 21, tenth.Matches(new DateTime(2011, 2, d)));
    }

    [Fact]
    public void Hours()
    {
        int[] valid = [0, 1, 4, 6, 8, 9, 12, 18];
        var c = new Crontab(hour: "8-9,*/6,1,4");
        for (int h = 0; h < 24; h++) Assert.Equal(valid.Contains(h), c.Matches(new DateTime(2011, 1, 1, h, 0, 0)));
        var midnight = new Crontab(hour: "0");
        Assert.True(midnight.Matches(new DateTime(2011, 1, 1, 0, 0, 0)));
        Assert.False(midnight.Matches(new DateTime(2011, 1, 1, 12, 0, 0)));
    }

    [Fact]
    public void Minutes()
    {
        int[] valid = [0, 1, 4, 6, 8, 9, 12, 18, 24, 30, 36, 42, 48, 54];
        var c = new Crontab(minute: "4,8-9,*/6,1");
        for (int m = 0; m < 60; m++) Assert.Equal(valid.Contains(m), c.Matches(new DateTime(2011, 1, 1, 1, m, 0)));
        var sixteen = new Crontab(minute: "*/16");
        for (int m = 0; m < 60; m++) Assert.Equal(m is 0 or 16 or 32 or 48, sixteen.Matches(new DateTime(2011, 1, 1, 1, m, 0)));
    }

    [Fact]
    public void Day_of_week_zero_is_sunday()
    {
        int[] valid = [2, 4, 9, 11, 16, 18, 23, 25, 30];
        var c = new Crontab(dayOfWeek: "0,2");
        for (int d = 1; d <= 31; d++) Assert.Equal(valid.Contains(d), c.Matches(new DateTime(2011, 1, d)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("7")]
    public void Sunday_is_0_or_7(string sunday)
    {
        var c = new Crontab(dayOfWeek: sunday, hour: "0", minute: "0");
        for (int d = 1; d <= 31; d++) Assert.Equal(d is 2 or 9 or 16 or 23 or 30, c.Matches(new DateTime(2011, 1, d)));
    }

    [Fact]
    public void All_fields_must_match_together()
    {
        var c = new Crontab(month: "1,5", day: "1,4,7", dayOfWeek: "0,6", hour: "*/4", minute: "1-5,10-15,50");
        Assert.True(c.Matches(new DateTime(2011, 5, 1, 4, 11, 0)));
        Assert.True(c.Matches(new DateTime(2011, 5, 7, 20, 50, 0)));
        Assert.True(c.Matches(new DateTime(2011, 1, 1, 0, 1, 0)));
        Assert.False(c.Matches(new DateTime(2011, 6, 4, 4, 11, 0)));
        Assert.False(c.Matches(new DateTime(2011, 1, 6, 4, 11, 0)));
        Assert.False(c.Matches(new DateTime(2011, 1, 4, 4, 11, 0)));
        Assert.False(c.Matches(new DateTime(2011, 1, 1, 1, 11, 0)));
        Assert.False(c.Matches(new DateTime(2011, 1, 1, 4, 6, 0)));
    }

    [Theory]
    [InlineData("minute", "61")]
    [InlineData("minute", "0-61")]
    [InlineData("dayOfWeek", "*/3")]
    [InlineData("minute", "abc")]
    [InlineData("minute", "*abc")]
    [InlineData("minute", "a-b")]
    [InlineData("minute", "1-c")]
    [InlineData("minute", "0x9")]
    [InlineData("hour", "5-2")]
    public void Invalid_fields_are_rejected_naming_the_field(string field, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => field switch
        {
            "minute" => new Crontab(minute: value),
            "hour" => new Crontab(hour: value),
            _ => new Crontab(dayOfWeek: value),
        });
        Assert.Contains($"crontab {field} '", e.Message);
        Assert.Equal(field, e.ParamName);
    }

    [Fact]
    public void Hourly_and_daily_shortcuts()
    {
        var hourly = Crontab.Hourly();
        Assert.True(hourly.Matches(new DateTime(2026, 4, 1, 0, 0, 0)));
        Assert.False(hourly.Matches(new DateTime(2026, 4, 1, 0, 1, 0)));
        Assert.False(hourly.Matches(new DateTime(2026, 4, 1, 0, 59, 0)));
        Assert.True(hourly.Matches(new DateTime(2026, 4, 1, 1, 0, 0)));
        var daily = Crontab.Daily();
        Assert.True(daily.Matches(new DateTime(2026, 4, 1, 0, 0, 0)));
        Assert.False(daily.Matches(new DateTime(2026, 4, 1, 1, 0, 0)));
        Assert.False(daily.Matches(new DateTime(2026, 4, 1, 23, 59, 0)));
        Assert.True(daily.Matches(new DateTime(2026, 4, 2, 0, 0, 0)));
    }

    [Fact]
    public void The_next_occurrence_is_the_next_matching_minute()
    {
        var c = new Crontab(hour: "3", minute: "30");
        var from = new DateTimeOffset(2026, 3, 1, 3, 30, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 3, 30, 0, TimeSpan.Zero), c.GetNextOccurrence(from));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 3, 30, 0, TimeSpan.Zero), c.GetNextOccurrence(from.AddSeconds(-1)));
    }

    [Fact]
    public void A_crontab_that_never_matches_has_no_next_occurrence()
        => Assert.Null(new Crontab(month: "2", day: "30").GetNextOccurrence(DateTimeOffset.UtcNow));

    [Fact]
    public void A_time_in_a_spring_forward_gap_is_skipped_in_the_crontabs_zone()
    {
        var berlin = CronSchedule.FindTimeZone("Europe/Berlin");
        var c = new Crontab(hour: "2", minute: "30", timeZone: berlin);
        // 2026-03-29 02:30 does not exist in Berlin: the next 02:30 is the day after.
        var next = c.GetNextOccurrence(new DateTimeOffset(2026, 3, 29, 0, 0, 0, TimeSpan.FromHours(1)));
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 2, 30, 0, TimeSpan.FromHours(2)), next);
    }
}
