namespace TaskQueue;

/// <summary>Values that go into log lines and dead-letter reasons, cut to a sane length.</summary>
internal static class Texts
{
    /// <summary>The longest value written whole.</summary>
    public const int MaxLength = 200;

    /// <summary><paramref name="value"/>, or its first <see cref="MaxLength"/> characters and how long it was.</summary>
    public static string Cut(string value)
        => value.Length <= MaxLength ? value : string.Concat(value.AsSpan(0, MaxLength), $"… ({value.Length:N0} characters)");
}
