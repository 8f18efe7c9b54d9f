using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Parsing;

/// <summary>
/// Describes a user record, class or struct as an ordered list of members and a way to construct it:
/// the accessible constructor with the most parameters that all match readable members by name
/// (ignoring case) and type, else the parameterless constructor; plus every other settable member.
/// Read-only members that no constructor takes are computed values and do not travel.
/// </summary>
internal sealed class ObjectParser(Compilation compilation, WireTypeParser types)
{
    public ObjectSpec? Describe(INamedTypeSymbol type, string typeName, string path, out string? reason)
    {
        reason = null;
        if (!IsAccessible(type))
        {
            reason = WireTypeParser.Fail(type, path, "is not accessible to generated code; make it public or internal");
            return null;
        }
        var readable = ReadableMembers(type);
        var constructor = ChooseConstructor(type, readable);
        if (constructor is null)
        {
            reason = WireTypeParser.Fail(type, path, "has no accessible parameterless constructor, nor one whose parameters all match its properties");
            return null;
        }

        var bound = constructor.Parameters.Select(p => Match(p, readable)!).ToList();
        var chosen = readable.Where(m => bound.Contains(m, SymbolEqualityComparer.Default) || Assignment(m) is not null).ToList();
        if (chosen.Count == 0 && readable.Count > 0)
        {
            reason = WireTypeParser.Fail(type, path, "has no public settable properties or matching constructor");
            return null;
        }

        var members = new List<MemberSpec>();
        foreach (var member in chosen)
        {
            var memberType = member is IPropertySymbol p ? p.Type : ((IFieldSymbol)member).Type;
            var spec = types.Describe(memberType, path + "." + member.Name, out reason);
            if (spec is null)
            {
                return null;
            }
            members.Add(new MemberSpec
            {
                Name = member.Name,
                Type = spec,
                Assignment = bound.Contains(member, SymbolEqualityComparer.Default) ? MemberAssignment.Constructor : Assignment(member)!.Value,
            });
        }

        return new ObjectSpec
        {
            TypeName = typeName,
            DisplayName = TypeNames.ForDisplay(type),
            IsValueType = type.IsValueType,
            Members = members.ToImmutableEquatableArray(),
            ConstructorArguments = constructor.Parameters
                .Select((p, i) => new ConstructorArgumentSpec { MemberIndex = chosen.IndexOf(bound[i]), DefaultValue = DefaultValues.Of(p) })
                .ToImmutableEquatableArray(),
        };
    }

    /// <summary>Instance properties and fields the generated code can read, base type first, in declaration order.</summary>
    private List<ISymbol> ReadableMembers(INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var t = type; t is not null && t.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); t = t.BaseType)
        {
            chain.Insert(0, t);
        }
        var members = new List<ISymbol>();
        foreach (var t in chain)
        {
            foreach (var member in t.GetMembers())
            {
                if (!IsReadable(member)) continue;
                // An override or a 'new' member replaces the base one but keeps its place.
                int existing = members.FindIndex(m => m.Name == member.Name);
                if (existing >= 0) members[existing] = member;
                else members.Add(member);
            }
        }
        return members;
    }

    private bool IsReadable(ISymbol member) => member switch
    {
        IPropertySymbol p => !p.IsStatic && !p.IsIndexer && p.RefKind == RefKind.None && p.GetMethod is { } get && IsAccessible(get),
        IFieldSymbol f => !f.IsStatic && !f.IsConst && !f.IsImplicitlyDeclared && f.RefKind == RefKind.None && IsAccessible(f),
        _ => false,
    };

    /// <summary>How a member that no constructor takes is set, or null when it cannot be.</summary>
    private MemberAssignment? Assignment(ISymbol member) => member switch
    {
        IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true } => MemberAssignment.Initializer,
        IPropertySymbol { SetMethod: { } set } when IsAccessible(set) => set.IsInitOnly ? MemberAssignment.Initializer : MemberAssignment.Setter,
        IFieldSymbol { IsReadOnly: false } => MemberAssignment.Setter,
        _ => null,
    };

    private IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, List<ISymbol> readable)
    {
        var candidates = type.InstanceConstructors
            .Where(c => IsAccessible(c) && c.Parameters.All(p => p.RefKind == RefKind.None) && !IsCopyConstructor(c, type))
            .ToList();
        var matching = candidates
            .Where(c => c.Parameters.Length > 0 && MatchesMembers(c, readable))
            .OrderByDescending(c => c.Parameters.Length)
            .FirstOrDefault();
        return matching ?? candidates.FirstOrDefault(c => c.Parameters.Length == 0);
    }

    private static bool MatchesMembers(IMethodSymbol constructor, List<ISymbol> readable)
    {
        var matched = constructor.Parameters.Select(p => Match(p, readable)).ToList();
        return matched.All(m => m is not null) && matched.Distinct(SymbolEqualityComparer.Default).Count() == matched.Count;
    }

    private static ISymbol? Match(IParameterSymbol parameter, List<ISymbol> readable)
        => readable.FirstOrDefault(m => string.Equals(m.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)
            && SymbolEqualityComparer.Default.Equals(m is IPropertySymbol p ? p.Type : ((IFieldSymbol)m).Type, parameter.Type));

    private static bool IsCopyConstructor(IMethodSymbol constructor, INamedTypeSymbol type)
        => constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type);

    private bool IsAccessible(ISymbol symbol) => compilation.IsSymbolAccessibleWithin(symbol, compilation.Assembly);
}
