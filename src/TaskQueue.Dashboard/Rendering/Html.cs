using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace TaskQueue.Dashboard.Rendering;

/// <summary>
/// Builds HTML from interpolated strings: the literal parts are the markup, every hole is encoded
/// (unless it is <see cref="Markup"/>). So a page cannot forget to encode a task's arguments, a
/// dead letter's reason or a queue's name: there is no way to put a string in raw.
/// </summary>
internal static class Html
{
    /// <summary>Encodes &lt; &gt; &amp; and both quotes (safe in text and in quoted attributes); other characters stay readable.</summary>
    internal static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>The markup an interpolated string describes, its holes encoded.</summary>
    public static Markup Of([InterpolatedStringHandlerArgument] ref HtmlHandler html) => html.ToMarkup();

    /// <summary>Each item's markup, one after the other.</summary>
    public static Markup Join<T>(IEnumerable<T> items, Func<T, Markup> render)
    {
        var text = new StringBuilder();
        foreach (var item in items) text.Append(render(item).ToString());
        return Markup.Trusted(text.ToString());
    }

    /// <summary>Markup made of parts, one after the other.</summary>
    public static Markup Concat(params ReadOnlySpan<Markup> parts)
    {
        var text = new StringBuilder();
        foreach (var part in parts) text.Append(part.ToString());
        return Markup.Trusted(text.ToString());
    }

    /// <summary><paramref name="markup"/> when <paramref name="condition"/> holds, else nothing.</summary>
    public static Markup If(bool condition, Markup markup) => condition ? markup : Markup.Empty;
}

/// <summary>The interpolated string handler behind <see cref="Html.Of"/>.</summary>
[InterpolatedStringHandler]
internal ref struct HtmlHandler
{
    private readonly StringBuilder text;

    public HtmlHandler(int literalLength, int formattedCount) => text = new StringBuilder(literalLength + formattedCount * 16);

    public readonly void AppendLiteral(string value) => text.Append(value);

    public readonly void AppendFormatted(Markup value) => text.Append(value.ToString());

    public readonly void AppendFormatted(string? value)
    {
        if (!string.IsNullOrEmpty(value)) text.Append(Html.Encoder.Encode(value));
    }

    public readonly void AppendFormatted<T>(T value) => AppendFormatted(value, null);

    public readonly void AppendFormatted<T>(T value, string? format)
        => AppendFormatted(value is IFormattable f ? f.ToString(format, CultureInfo.InvariantCulture) : value?.ToString());

    internal readonly Markup ToMarkup() => Markup.Trusted(text.ToString());
}
