using Microsoft.CodeAnalysis.CSharp;

namespace TaskQueue.Generator;

/// <summary>Identifiers as C# source must spell them.</summary>
internal static class Identifiers
{
    /// <summary>Adds <c>@</c> to a name that is a keyword (<c>@class</c>).</summary>
    public static string Escape(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>The local-variable form of a member name: <c>Lines</c> becomes <c>lines</c>.</summary>
    public static string Camel(string name)
        => name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);
}
