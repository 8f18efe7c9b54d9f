using Microsoft.CodeAnalysis;

namespace TaskQueue.Generator.Parsing;

/// <summary>How the parser names types: for generated code, for messages, and for recognising well-known ones.</summary>
internal static class TypeNames
{
    /// <summary><c>global::</c>-qualified, keywords for special types, with <c>?</c> on nullable references.</summary>
    public static readonly SymbolDisplayFormat Code = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary><c>global::</c>-qualified without nullable annotations, for a type as a whole (a codec's key).</summary>
    public static readonly SymbolDisplayFormat CodeWithoutAnnotations = SymbolDisplayFormat.FullyQualifiedFormat;

    /// <summary>As the compiler shows types in its own errors: <c>int</c>, <c>Beans.Order</c>.</summary>
    public static readonly SymbolDisplayFormat Display = SymbolDisplayFormat.CSharpErrorMessageFormat;

    public static string ForCode(ITypeSymbol type) => type.ToDisplayString(Code);

    public static string ForDisplay(ISymbol symbol) => symbol.ToDisplayString(Display);

    /// <summary>The metadata name with its namespace, <c>System.Collections.Generic.List`1</c>, of a type's definition.</summary>
    public static string MetadataName(ITypeSymbol type)
    {
        var definition = type.OriginalDefinition;
        var ns = definition.ContainingNamespace;
        return ns is null || ns.IsGlobalNamespace ? definition.MetadataName : ns.ToDisplayString() + "." + definition.MetadataName;
    }

    /// <summary>Whether a type lives in the .NET libraries' namespaces, whose types travel only when listed.</summary>
    public static bool IsFrameworkType(ITypeSymbol type)
    {
        var ns = type.ContainingNamespace;
        while (ns is { IsGlobalNamespace: false, ContainingNamespace.IsGlobalNamespace: false })
        {
            ns = ns.ContainingNamespace;
        }
        return ns is { IsGlobalNamespace: false, Name: "System" or "Microsoft" };
    }
}
