using System;
using System.Globalization;

namespace TaskQueue.Generator.Parsing;

/// <summary>
/// Checks cron text at compile time the way the runtime reads it (<c>TaskQueue.Scheduling.CronSchedule.Parse</c>,
/// which hands the text to Cronos 0.13), and says precisely what is wrong. Cronos cannot be loaded in
/// the compiler, so this is a separate reader of the same grammar:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The runtime trims the text; one starting with <c>@</c> is a macro (<c>@every_second</c>,
/// <c>@every_minute</c>, <c>@hourly</c>, <c>@daily</c>, <c>@midnight</c>, <c>@weekly</c>, <c>@monthly</c>,
/// <c>@yearly</c>, <c>@annually</c>, any case), which stands alone.</item>
/// <item>Otherwise the runtime counts the fields between spaces: 5 (minute hour day-of-month month
/// day-of-week) or 6 (a leading seconds field). Cronos then reads the fields separated by spaces or
/// tabs, so a tab joins two fields for the count but splits them for Cronos.</item>
/// <item>Every field: <c>*</c> or <c>?</c>, optionally with a step <c>/n</c>; or a list of elements
/// <c>a</c>, <c>a-b</c> (a reversed range wraps round), <c>a/n</c>, <c>a-b/n</c>, separated by commas.
/// Values have one or two digits; steps run from 1 to the field's maximum.</item>
/// <item>Months also take JAN-DEC, days of week SUN-SAT (three letters, any case); days of week are
/// 0-7, both 0 and 7 being Sunday.</item>
/// <item>Day of month also takes, as the whole field, <c>L</c>, <c>L-n</c> (n 0-30), either followed by
/// <c>W</c>, and <c>nW</c>. Day of week also takes, as the whole field, <c>nL</c> and <c>n#k</c> (k 1-5).</item>
/// <item><c>H</c> (a hashed value) needs a jitter seed, which the runtime does not give, so it fails.</item>
/// <item>Cronos stops reading at a NUL character, as at the end of the text.</item>
/// </list>
/// </remarks>
internal static class CronText
{
    private static readonly string[] Macros =
        ["EVERY_SECOND", "EVERY_MINUTE", "HOURLY", "DAILY", "MIDNIGHT", "WEEKLY", "MONTHLY", "YEARLY", "ANNUALLY"];

    private const string MacroList = "@every_second, @every_minute, @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually";

    private const string FieldLayout = "5 (minute hour day-of-month month day-of-week) or 6 (a leading seconds field, then those 5)";

    /// <summary>Why <paramref name="expression"/> is not a cron expression the runtime reads, or null when it is one.</summary>
    public static string? Check(string? expression)
    {
        if (expression is null) return "it is null; write 5 or 6 fields, or a macro such as @daily";
        string text = expression.Trim();
        if (text.Length == 0) return $"it is empty; write {FieldLayout} fields, or a macro such as @daily";
        try
        {
            if (text[0] == '@')
            {
                CheckMacro(text);
                return null;
            }
            int fields = text.Split([' '], StringSplitOptions.RemoveEmptyEntries).Length;
            if (fields is not (5 or 6))
            {
                string tabs = text.IndexOf('\t') >= 0 ? " (fields are counted between spaces; a tab does not separate them)" : "";
                return $"it has {fields} field{(fields == 1 ? "" : "s")}{tabs}; expected {FieldLayout}";
            }
            new Reader(text, withSeconds: fields == 6).ReadAll();
            return null;
        }
        catch (CronError e)
        {
            return e.Message;
        }
    }

    private static void CheckMacro(string text)
    {
        int end = 1;
        while (end < text.Length && !IsSeparator(text[end]) && text[end] != '\0') end++;
        string name = text.Substring(1, end - 1);
        if (Array.IndexOf(Macros, Upper(name)) < 0)
        {
            throw new CronError($"'@{name}' is not a macro; use {MacroList}, or write the fields");
        }
        int rest = end;
        while (rest < text.Length && IsSeparator(text[rest])) rest++;
        if (rest < text.Length && text[rest] != '\0')
        {
            throw new CronError($"a macro stands alone, but '@{name}' is followed by '{Token(text, rest)}'; remove it or write the fields instead");
        }
    }

    private static bool IsSeparator(char c) => c is ' ' or '\t';

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsLetter(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z');

    /// <summary>ASCII upper case, as Cronos compares letters.</summary>
    private static char Upper(char c) => c is >= 'a' and <= 'z' ? (char)(c - 32) : c;

    private static string Upper(string s)
    {
        var chars = s.ToCharArray();
        for (int i = 0; i < chars.Length; i++) chars[i] = Upper(chars[i]);
        return new string(chars);
    }

    /// <summary>The run of text from <paramref name="start"/> to the next separator or the end.</summary>
    private static string Token(string text, int start)
    {
        int end = start;
        while (end < text.Length && !IsSeparator(text[end]) && text[end] != '\0') end++;
        return text.Substring(start, end - start);
    }

    /// <summary>A character as a message shows it.</summary>
    private static string Show(char c)
        => c switch
        {
            '\t' => "a tab",
            _ when char.IsControl(c) => "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
            _ => "'" + c + "'",
        };

    /// <summary>One cron field: its range, its names, and how messages speak of it.</summary>
    private sealed class Field
    {
        public static readonly Field Seconds = new("seconds", 0, 59, null, "seconds are 0-59");
        public static readonly Field Minutes = new("minutes", 0, 59, null, "minutes are 0-59");
        public static readonly Field Hours = new("hours", 0, 23, null, "hours are 0-23");
        public static readonly Field DaysOfMonth = new("day-of-month", 1, 31, null, "days of month are 1-31");
        public static readonly Field Months = new("month", 1, 12,
            ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], "months are 1-12 or JAN-DEC");
        public static readonly Field DaysOfWeek = new("day-of-week", 0, 7,
            ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], "days of week are 0-7 (0 and 7 are Sunday) or SUN-SAT");

        private Field(string name, int first, int last, string[]? names, string allowed)
        {
            Name = name;
            First = first;
            Last = last;
            Names = names;
            Allowed = allowed;
        }

        public string Name { get; }

        public int First { get; }

        public int Last { get; }

        /// <summary>Three-letter names of the values from <see cref="First"/> on (Sunday is 0).</summary>
        public string[]? Names { get; }

        public string Allowed { get; }

        public string Syntax => this == DaysOfMonth
            ? "write *, ?, a value, a range a-b, a step */n, a/n or a-b/n, a list of those, or L, L-n, LW, nW"
            : this == DaysOfWeek
                ? "write *, ?, a value, a range a-b, a step */n, a/n or a-b/n, a list of those, or nL (last n-day of the month), n#k (k-th n-day)"
                : "write *, ?, a value, a range a-b, a step */n, a/n or a-b/n, or a list of those";
    }

    private sealed class CronError(string message) : Exception(message);

    /// <summary>Reads the fields in order, as Cronos does, and throws <see cref="CronError"/> at the first mistake.</summary>
    private sealed class Reader(string text, bool withSeconds)
    {
        private int position;
        private int fieldStart;
        private Field field = Field.Seconds;

        private char Current => position < text.Length ? text[position] : '\0';

        private string FieldText => Token(text, fieldStart);

        /// <summary>"the hours field", with the field's text when it holds more than <paramref name="piece"/>.</summary>
        private string In(string? piece = null)
            => FieldText == piece || FieldText.Length == 0 ? $"the {field.Name} field" : $"the {field.Name} field '{FieldText}'";

        public void ReadAll()
        {
            if (withSeconds)
            {
                Begin(Field.Seconds);
                ReadPlainField();
                Separator();
            }
            Begin(Field.Minutes);
            ReadPlainField();
            Separator();
            Begin(Field.Hours);
            ReadPlainField();
            Separator();
            Begin(Field.DaysOfMonth);
            ReadDayOfMonth();
            Separator();
            Begin(Field.Months);
            ReadPlainField();
            Separator();
            Begin(Field.DaysOfWeek);
            ReadDayOfWeek();
            End();
        }

        private void Begin(Field next)
        {
            field = next;
            fieldStart = position;
        }

        private bool Accept(char c)
        {
            if (Current != c) return false;
            position++;
            return true;
        }

        private bool AcceptLetter(char upper)
        {
            if (Upper(Current) != upper) return false;
            position++;
            return true;
        }

        private void Separator()
        {
            if (!IsSeparator(Current))
            {
                throw Current == '\0'
                    ? new CronError($"it ends after {In()}; a field is missing")
                    : Unexpected();
            }
            while (IsSeparator(Current)) position++;
        }

        private void End()
        {
            if (!IsSeparator(Current) && Current != '\0') throw Unexpected();
            while (IsSeparator(Current)) position++;
            if (Current != '\0')
            {
                string hint = text.IndexOf('\t') >= 0 ? "; a tab separates fields here although the runtime counted fields between spaces only" : "";
                throw new CronError($"'{Token(text, position)}' follows the day-of-week field, the last one{hint}; expected {FieldLayout}");
            }
        }

        private CronError Unexpected()
            => new($"{In()} has an unexpected {Show(Current)}; {field.Syntax}");

        private void ReadPlainField()
        {
            if (Accept('*') || Accept('?'))
            {
                ReadStarStep();
                return;
            }
            RejectHash();
            ReadValue();
            ReadRangeOrStep();
            if (Accept(',')) ReadList();
        }

        private void ReadDayOfMonth()
        {
            if (Accept('*') || Accept('?'))
            {
                ReadStarStep();
                return;
            }
            RejectHash();
            if (AcceptLetter('L'))
            {
                if (Accept('-')) ReadNumber(0, field.Last - 1, "the offset");
                AcceptLetter('W');
                return;
            }
            ReadValue();
            if (AcceptLetter('W')) return;
            ReadRangeOrStep();
            if (Accept(',')) ReadList();
        }

        private void ReadDayOfWeek()
        {
            if (Accept('*') || Accept('?'))
            {
                ReadStarStep();
                return;
            }
            RejectHash();
            ReadValue();
            if (AcceptLetter('L')) return;
            if (Accept('#'))
            {
                ReadNumber(1, 5, "the week number");
                return;
            }
            ReadRangeOrStep();
            if (Accept(',')) ReadList();
        }

        private void RejectHash()
        {
            if (Current == 'H')
            {
                throw new CronError(
                    $"{In("H")} uses H (a hashed value), which needs a jitter seed that TaskQueue does not give; write the value instead");
            }
        }

        private void ReadStarStep()
        {
            if (Accept('/')) ReadNumber(1, field.Last, "the step");
        }

        private void ReadRangeOrStep()
        {
            if (Accept('-'))
            {
                ReadValue();
                if (Accept('/')) ReadNumber(1, field.Last, "the step");
            }
            else if (Accept('/'))
            {
                ReadNumber(1, field.Last, "the step");
            }
        }

        private void ReadList()
        {
            do
            {
                ReadValue();
                ReadRangeOrStep();
            }
            while (Accept(','));
        }

        /// <summary>A value of the field: one or two digits, or for months and days of week a three-letter name.</summary>
        private void ReadValue()
        {
            if (IsDigit(Current))
            {
                int value = ReadDigits(out string digits);
                if (digits.Length > 2 || value < field.First || value > field.Last)
                {
                    throw new CronError($"{digits} is out of range in {In(digits)}; {field.Allowed}");
                }
                return;
            }
            if (field.Names is { } names && IsLetter(Current))
            {
                int start = position;
                while (position - start < 3 && IsLetter(Current)) position++;
                string name = text.Substring(start, position - start);
                int index = name.Length == 3 ? Array.IndexOf(names, Upper(name)) : -1;
                if (index < 0)
                {
                    int end = start;
                    while (end < text.Length && IsLetter(text[end])) end++;
                    string word = text.Substring(start, end - start);
                    throw new CronError($"'{word}' is not a {(field == Field.Months ? "month" : "day")} name, in {In(word)}; {field.Allowed}");
                }
                return;
            }
            throw Current == '\0' || IsSeparator(Current)
                ? new CronError($"{In()} ends where a value is expected; {field.Allowed}")
                : new CronError($"{In()} has {Show(Current)} where a value is expected; {field.Allowed}");
        }

        /// <summary>A plain number (a step, an offset, a week number): one or two digits in [low, high].</summary>
        private void ReadNumber(int low, int high, string what)
        {
            if (!IsDigit(Current))
            {
                throw Current == '\0' || IsSeparator(Current)
                    ? new CronError($"{In()} ends where {what} is expected; it must be {low}-{high}")
                    : new CronError($"{In()} has {Show(Current)} where {what} is expected; it must be {low}-{high}");
            }
            int value = ReadDigits(out string digits);
            if (digits.Length > 2 || value < low || value > high)
            {
                throw new CronError($"{what} {digits} is out of range in {In()}; it must be {low}-{high}");
            }
        }

        /// <summary>Reads every digit in a row (Cronos takes at most two; more are reported as out of range).</summary>
        private int ReadDigits(out string digits)
        {
            int start = position;
            while (IsDigit(Current)) position++;
            digits = text.Substring(start, position - start);
            return digits.Length > 2 ? int.MaxValue : int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        }
    }
}
