using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace TaskQueue.Generator.Model;

/// <summary>
/// Where a diagnostic points, kept as plain values: a <see cref="Location"/> holds its syntax tree,
/// which would keep an old compilation alive and never compare equal across runs.
/// </summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo From(SyntaxNode node) => From(node.GetLocation());

    public static LocationInfo From(SyntaxToken token) => From(token.GetLocation());

    public static LocationInfo From(Location location)
        => new(location.SourceTree?.FilePath ?? string.Empty, location.SourceSpan, location.GetLineSpan().Span);

    /// <summary>
    /// Recreates a location in <paramref name="tree"/> when the file is still part of the
    /// compilation, so that <c>#pragma warning disable</c> applies; otherwise a file location.
    /// </summary>
    public Location ToLocation(SyntaxTree? tree)
        => tree is not null ? Location.Create(tree, Span) : Location.Create(FilePath, Span, LineSpan);
}
