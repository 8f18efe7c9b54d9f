namespace TaskQueue.Dashboard.Rendering;

/// <summary>
/// HTML that is safe to write as it is: made only by <see cref="Html.Of"/> (whose holes are encoded)
/// or from constant text in this assembly. A string is never markup by itself.
/// </summary>
internal readonly struct Markup
{
    private readonly string? value;

    private Markup(string value) => this.value = value;

    /// <summary>Nothing.</summary>
    public static Markup Empty => default;

    /// <summary>Wraps HTML the caller built from constants or from encoded text.</summary>
    internal static Markup Trusted(string html) => new(html);

    /// <inheritdoc />
    public override string ToString() => value ?? "";
}
