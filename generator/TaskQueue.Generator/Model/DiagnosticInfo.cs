using Microsoft.CodeAnalysis;

namespace TaskQueue.Generator.Model;

/// <summary>
/// A diagnostic waiting to be reported. Its arguments are display strings, never symbols: a symbol
/// would tie the pipeline to one compilation and break caching.
/// </summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo Location, ImmutableEquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo location, params string[] arguments)
        => new(descriptor, location, arguments.ToImmutableEquatableArray());

    public Diagnostic ToDiagnostic(SyntaxTree? tree)
        => Diagnostic.Create(Descriptor, Location.ToLocation(tree), [.. Arguments]);
}
