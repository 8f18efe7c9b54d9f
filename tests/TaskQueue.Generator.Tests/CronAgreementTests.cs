using System.Globalization;
using System.Text;
using Cronos;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TaskQueue.Generator.Parsing;
using TaskQueue.Generator.Tests.Infrastructure;
using TaskQueue.Scheduling;

namespace TaskQueue.Generator.Tests;

/// <summary>
/// The generator's cron check (TQ0101) against the real thing: Cronos 0.13 called the way the runtime
/// calls it (trimmed; a macro, else 5 or 6 fields counted between spaces), and the runtime's
/// <see cref="CronSchedule"/> itself. They must agree on every expression.
/// </summary>
public sealed class CronAgreementTests
{
    private static readonly string[] Valid =
    [
        "* * * * *", "*/5 * * * *", "0 3 * * *", "5/15 * * * *", "5,10,15 * * * *", "1-5/2,10 * * * *", "50-10 * * * *", "0 22-2 * * *",
        "0-59/59 * * * *", "00 07 01 01 *", "0 0 31 2 *", "? ? ? ? ?", "0 0 ? * MON",
        "* * * * * *", "*/10 * * * * *", "0 0 0 * * *", "? * * * ? ?", "59 59 23 31 12 7",
        "0 0 1 JAN *", "0 0 1 jan-dec/2 *", "0 0 * JAN,JUL *", "* * * 1/12 *",
        "0 0 * * 0", "0 0 * * 7", "0 0 * * SUN", "0 0 * * sun-sat", "0 0 * * MON,WED,FRI", "0 0 * * 1-5", "0 0 * * FRI-MON", "0 0 * * 7-1",
        "0 0 * * */2", "0 0 * * 0-7/2", "* * * * 1/7", "0 0 * * 5L", "0 0 * * 7L", "0 0 * * FRIL", "0 0 * * fril", "0 0 * * MON#2", "0 0 * * 0#5",
        "0 0 L * *", "0 0 l * *", "0 0 L-3 * *", "0 0 L-0 * *", "0 0 L-30 * *", "0 0 LW * *", "0 0 lw * *", "0 0 L-3W * *", "0 0 15W * *",
        "0 0 15w * *", "0 0 1-31/31 * *",
        "  0 3 * * *  ", "0  3   *  * *", "0 \t3 * * *", "* * * * *\0junk",
        "@daily", "@DAILY", "@Daily", "@every_second", "@EVERY_SECOND", "@every_minute", "@hourly", "@midnight", "@weekly", "@monthly", "@yearly",
        "@annually", "  @weekly  ", "@daily\0junk",
    ];

    private static readonly string[] Invalid =
    [
        "", "   ", "* * * *", "* * * * * * *", "0\t0 * * *", "0\t0 * * * *", "abc",
        "60 * * * *", "100 * * * *", "001 * * * *", "-1 * * * *", "*/60 * * * *", "*/0 * * * *", "1/100 * * * *", "1- * * * *", ", * * * *",
        "1, * * * *", "5-10/ * * * *", "1,*/5 * * * *", "*/5,10 * * * *", "L * * * *", "W * * * *", "#1 * * * *", "h * * * *", "H * * * *",
        "0 H * * *", "* * * * * H", "60 * * * * *", "* 60 * * * *",
        "* 24 * * *", "* * 0 * *", "* * 32 * *", "* * W * *", "* * 1L * *", "* * 1-2W * *", "* * 1,2W * *", "* * 15W,1 * *", "* * L-31 * *",
        "* * L- * *", "* * LW,1 * *", "* * MON * *", "* * H * *",
        "* * * 0 *", "* * * 13 *", "* * * JANUARY *", "* * * FOO *", "* * * L *", "* * * 1/13 *",
        "* * * * 8", "* * * * SUNDAY", "* * * * SUT", "* * * * SU0", "* * * * L", "* * * * 5#6", "* * * * 5#0", "* * * * #2", "* * * * MON#",
        "* * * * 1#2,3", "0 0 * * 1L,2", "* * * * MON-FRII", "* * * * 1/8", "* * * * 1/0", "* * * * h",
        "0 3 * * * ,", "0 3 * * *,", "0 3 * * MON-",
        "@", "@daily x", "@every_hour", "@dai", "@@daily", "@ daily", "@everysecond", "@every_minsecond", "@yearl",
    ];

    [Fact]
    public void The_table_is_what_the_generator_and_Cronos_both_say()
    {
        string[] all = [.. Valid, .. Invalid];
        var rejected = RejectedByGenerator(all);

        var disagreements = new List<string>();
        for (int i = 0; i < all.Length; i++)
        {
            bool expected = i < Valid.Length;
            bool cronos = CronosAccepts(all[i]), runtime = RuntimeAccepts(all[i]), generator = !rejected.ContainsKey(i);
            if (cronos != expected || runtime != expected || generator != expected)
            {
                disagreements.Add($"{Show(all[i])}: table {expected}, Cronos {cronos}, CronSchedule {runtime}, generator {generator} {rejected.GetValueOrDefault(i)}");
            }
        }
        Assert.True(disagreements.Count == 0, string.Join(Environment.NewLine, disagreements));
    }

    [Fact]
    public void Random_expressions_get_the_same_verdict_from_the_generator_and_Cronos()
    {
        var random = new Random(20260328);
        var disagreements = new List<string>();
        int valid = 0;
        for (int i = 0; i < 50_000 && disagreements.Count < 20; i++)
        {
            string expression = RandomExpression(random);
            bool cronos = CronosAccepts(expression);
            string? reason = CronText.Check(expression);
            if (cronos) valid++;
            if (cronos != (reason is null)) disagreements.Add($"{Show(expression)}: Cronos {cronos}, generator {reason ?? "valid"}");
        }
        Assert.True(disagreements.Count == 0, string.Join(Environment.NewLine, disagreements));
        Assert.InRange(valid, 5_000, 45_000); // both verdicts are well represented
    }

    [Theory]
    [InlineData("*/60 * * * *", "the step 60 is out of range in the minutes field '*/60'; it must be 1-59")]
    [InlineData("0 0 * * 5#6", "the week number 6 is out of range in the day-of-week field '5#6'; it must be 1-5")]
    [InlineData("0 0 L-31 * *", "the offset 31 is out of range in the day-of-month field 'L-31'; it must be 0-30")]
    [InlineData("0 0 32 * *", "32 is out of range in the day-of-month field; days of month are 1-31")]
    [InlineData("0 0 * 13 *", "13 is out of range in the month field; months are 1-12 or JAN-DEC")]
    [InlineData("0 0 * JANUARY *", "the month field 'JANUARY' has an unexpected 'U'; write *, ?, a value, a range a-b, a step */n, a/n or a-b/n, or a list of those")]
    [InlineData("0 0 * * SUT", "'SUT' is not a day name, in the day-of-week field; days of week are 0-7 (0 and 7 are Sunday) or SUN-SAT")]
    [InlineData("0 0 * * 8", "8 is out of range in the day-of-week field; days of week are 0-7 (0 and 7 are Sunday) or SUN-SAT")]
    [InlineData("1,*/5 * * * *", "the minutes field '1,*/5' has '*' where a value is expected; minutes are 0-59")]
    [InlineData("0 0 1-2W * *", "the day-of-month field '1-2W' has an unexpected 'W'; write *, ?, a value, a range a-b, a step */n, a/n or a-b/n, a list of those, or L, L-n, LW, nW")]
    [InlineData("5- * * * *", "the minutes field '5-' ends where a value is expected; minutes are 0-59")]
    [InlineData("0 3 * *", "it has 4 fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (a leading seconds field, then those 5)")]
    [InlineData("0\t3 * * * *", "'*' follows the day-of-week field, the last one; a tab separates fields here although the runtime counted fields between spaces only; expected 5 (minute hour day-of-month month day-of-week) or 6 (a leading seconds field, then those 5)")]
    [InlineData("H 3 * * *", "the minutes field uses H (a hashed value), which needs a jitter seed that TaskQueue does not give; write the value instead")]
    [InlineData("@every_hour", "'@every_hour' is not a macro; use @every_second, @every_minute, @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually, or write the fields")]
    [InlineData("@daily 3", "a macro stands alone, but '@daily' is followed by '3'; remove it or write the fields instead")]
    [InlineData(" ", "it is empty; write 5 (minute hour day-of-month month day-of-week) or 6 (a leading seconds field, then those 5) fields, or a macro such as @daily")]
    public void Reasons_say_which_field_which_value_and_what_is_allowed(string expression, string reason)
        => Assert.Equal(reason, CronText.Check(expression));

    /// <summary>Cronos as <see cref="CronSchedule.Parse"/> calls it.</summary>
    private static bool CronosAccepts(string expression)
    {
        string text = expression.Trim();
        int fields = text.StartsWith('@') ? 5 : text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6)) return false;
        try
        {
            CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            return true;
        }
        catch (Exception e) when (e is CronFormatException or MissingSeedException)
        {
            return false;
        }
    }

    private static bool RuntimeAccepts(string expression)
    {
        try
        {
            return CronSchedule.TryParse(expression, null, out _, out _);
        }
        catch (MissingSeedException)
        {
            return false; // "H": Cronos throws this, not a FormatException, and CronSchedule lets it through
        }
    }

    /// <summary>Runs the generator on one periodic task per expression: the TQ0101 reasons by index.</summary>
    private static Dictionary<int, string> RejectedByGenerator(string[] expressions)
    {
        var source = new StringBuilder("using TaskQueue;\nnamespace Crons;\npublic static class Table\n{\n");
        const int firstLine = 5;
        for (int i = 0; i < expressions.Length; i++)
        {
            source.Append(CultureInfo.InvariantCulture, $"    [PeriodicTask({SymbolDisplay.FormatLiteral(expressions[i], quote: true)})] public static void Cron{i}() {{ }}\n");
        }
        source.Append("}\n");
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Compile(source.ToString()));

        Assert.Null(result.Exception);
        Assert.All(result.Diagnostics, d => Assert.Equal("TQ0101", d.Id));
        return result.Diagnostics.ToDictionary(d => d.Location.GetLineSpan().StartLinePosition.Line + 1 - firstLine, d => d.GetMessage(CultureInfo.InvariantCulture));
    }

    private static readonly string[] Numbers = ["0", "1", "2", "5", "7", "8", "12", "13", "23", "24", "30", "31", "32", "59", "60", "99", "100", "007"];
    private static readonly string[] Names = ["JAN", "jan", "Dec", "SUN", "sat", "MON", "FRI", "FOO", "JANUARY", "SU", "SUNDAY"];
    private static readonly string[] Noise = ["*", "?", "/", "-", ",", "#", "L", "l", "W", "w", "H", "h", "@", " ", "\t", "x", "0", "9"];
    private static readonly string[] MacroNames = ["daily", "DAILY", "every_second", "every_minute", "hourly", "midnight", "weekly", "monthly", "yearly", "annually", "every_hour", "dail", ""];
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private enum Kind { Second, Minute, Hour, DayOfMonth, Month, DayOfWeek }

    private static string RandomExpression(Random random)
    {
        if (random.Next(20) == 0)
        {
            string macro = "@" + Pick(random, MacroNames);
            return random.Next(4) == 0 ? macro + Pick(random, Noise) + Pick(random, Noise) : macro;
        }
        int count = random.Next(12) switch { 0 => 4, 1 => 7, < 7 => 5, _ => 6 };
        var fields = new string[count];
        for (int f = 0; f < count; f++)
        {
            var kind = (Kind)Math.Min(5, count == 6 ? f : f + 1);
            fields[f] = RandomField(random, kind);
        }
        string text = string.Join(random.Next(20) == 0 ? "\t" : " ", fields);
        // Mutate now and then: a character inserted, replaced or removed anywhere.
        for (int m = random.Next(10) == 0 ? random.Next(1, 3) : 0; m > 0 && text.Length > 0; m--)
        {
            int at = random.Next(text.Length);
            text = random.Next(3) switch
            {
                0 => text.Insert(at, Pick(random, Noise)),
                1 => text.Remove(at, 1).Insert(at, Pick(random, Noise)),
                _ => text.Remove(at, 1),
            };
        }
        return random.Next(10) == 0 ? "  " + text + " " : text;
    }

    /// <summary>Mostly what the field takes, sometimes a value or form it does not.</summary>
    private static string RandomField(Random random, Kind kind)
    {
        var (first, last) = kind switch
        {
            Kind.Hour => (0, 23),
            Kind.DayOfMonth => (1, 31),
            Kind.Month => (1, 12),
            Kind.DayOfWeek => (0, 7),
            _ => (0, 59),
        };
        string Value()
        {
            if (random.Next(25) == 0) return random.Next(3) == 0 ? Pick(random, Names) : Pick(random, Numbers);
            if (kind == Kind.Month && random.Next(3) == 0) return Case(Pick(random, MonthNames));
            if (kind == Kind.DayOfWeek && random.Next(3) == 0) return Case(Pick(random, DayNames));
            int value = random.Next(first, last + 1);
            return random.Next(10) == 0 ? value.ToString("00", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);
        }
        string Case(string name) => random.Next(3) switch { 0 => name.ToLowerInvariant(), _ => name };
        string Step() => random.Next(25) == 0 ? Pick(random, Numbers) : random.Next(1, last + 1).ToString(CultureInfo.InvariantCulture);
        bool special = random.Next(kind is Kind.DayOfMonth or Kind.DayOfWeek ? 4 : 50) == 0;
        if (special)
        {
            return random.Next(7) switch
            {
                0 => "L",
                1 => "L-" + random.Next(0, 33),
                2 => random.Next(2) == 0 ? "LW" : "L-" + random.Next(0, 31) + "W",
                3 => Value() + "W",
                4 => Value() + "L",
                5 => Value() + "#" + random.Next(0, 7),
                _ => "H" + (random.Next(2) == 0 ? "" : "/" + Step()),
            };
        }
        string Element() => random.Next(10) switch
        {
            0 or 1 => "*",
            2 => "?",
            3 => "*/" + Step(),
            4 or 5 => Value() + "-" + Value(),
            6 => Value() + "/" + Step(),
            7 => Value() + "-" + Value() + "/" + Step(),
            _ => Value(),
        };
        var field = Element();
        while (random.Next(4) == 0) field += "," + Element();
        return field;
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    private static string Show(string expression) => SymbolDisplay.FormatLiteral(expression, quote: true);
}
