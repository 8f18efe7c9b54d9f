using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Parsing;

/// <summary>
/// Decides whether a type can travel in a task message and describes how, recursively. User types
/// are handed to <see cref="ObjectParser"/> once each and collected in <see cref="Objects"/>.
/// </summary>
internal sealed class WireTypeParser
{
    private readonly ObjectParser objectParser;
    private readonly Dictionary<string, ObjectSpec?> seen = new();
    private readonly List<ObjectSpec> objects = new();

    public WireTypeParser(Compilation compilation) => objectParser = new ObjectParser(compilation, this);

    /// <summary>The user types met so far, each once.</summary>
    public ImmutableEquatableArray<ObjectSpec> Objects => objects.ToImmutableEquatableArray();

    /// <summary>Set when a type did not bind; the compiler reports that, so the parser adds nothing.</summary>
    public bool HasErrorTypes { get; private set; }

    /// <summary>
    /// Describes <paramref name="type"/>, or returns null and says why in <paramref name="reason"/>
    /// (null when the type has compile errors of its own).
    /// </summary>
    /// <param name="path">Where the type sits, for messages: the parameter's name, or a path into it like <c>order.Lines[].Product</c>.</param>
    public TypeSpec? Describe(ITypeSymbol type, string path, out string? reason)
    {
        reason = null;
        if (type.TypeKind == TypeKind.Error)
        {
            HasErrorTypes = true;
            return null;
        }
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            var underlying = Describe(nullable.TypeArguments[0], path, out reason);
            return underlying is null ? null : Spec(type, WireKind.Nullable) with { Element = underlying };
        }
        if (Primitive(type) is { } primitive)
        {
            return Spec(type, primitive);
        }
        switch (type)
        {
            case INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying } enumType:
                return Spec(type, WireKind.Enum) with { EnumUnderlying = Primitive(underlying) ?? WireKind.Int32, EnumMembers = EnumMembers(enumType) };
            case IArrayTypeSymbol array:
                return DescribeArray(array, path, out reason);
            case INamedTypeSymbol named when Collection(named) is { } collection:
                return DescribeCollection(named, collection, path, out reason);
        }
        if (Unsupported(type) is { } why)
        {
            reason = Fail(type, path, why);
            return null;
        }
        return DescribeObject((INamedTypeSymbol)type, path, out reason);
    }

    private TypeSpec? DescribeArray(IArrayTypeSymbol array, string path, out string? reason)
    {
        reason = null;
        if (array.Rank != 1)
        {
            reason = Fail(array, path, "is a multi-dimensional array");
            return null;
        }
        if (array.ElementType.SpecialType == SpecialType.System_Byte)
        {
            return Spec(array, WireKind.Bytes);
        }
        var element = Describe(array.ElementType, path + "[]", out reason);
        return element is null ? null : Spec(array, WireKind.Array) with { Element = element };
    }

    private TypeSpec? DescribeCollection(INamedTypeSymbol named, string collection, string path, out string? reason)
    {
        reason = null;
        if (collection.StartsWith("Dictionary", System.StringComparison.Ordinal))
        {
            if (named.TypeArguments[0].SpecialType != SpecialType.System_String)
            {
                reason = Fail(named, path, $"has keys of type '{TypeNames.ForDisplay(named.TypeArguments[0])}', and only string keys can travel");
                return null;
            }
            var value = Describe(named.TypeArguments[1], path + "[key]", out reason);
            return value is null ? null : Spec(named, WireKind.Dictionary) with { Element = value };
        }
        var element = Describe(named.TypeArguments[0], path + "[]", out reason);
        return element is null ? null : Spec(named, WireKind.List) with { Element = element, IsEnumerable = collection == "Enumerable" };
    }

    private TypeSpec? DescribeObject(INamedTypeSymbol type, string path, out string? reason)
    {
        reason = null;
        var spec = Spec(type, WireKind.Object);
        string key = type.ToDisplayString(TypeNames.CodeWithoutAnnotations);
        if (seen.ContainsKey(key))
        {
            return spec; // described already, or being described: a type that holds itself
        }
        seen[key] = null;
        var described = objectParser.Describe(type, key, path, out reason);
        if (described is null)
        {
            return null;
        }
        seen[key] = described;
        objects.Add(described);
        return spec;
    }

    private static ImmutableEquatableArray<string> EnumMembers(INamedTypeSymbol type)
    {
        var values = new HashSet<object>();
        return type.GetMembers()
            .OfType<IFieldSymbol>()
            .Where(field => field.HasConstantValue && field.ConstantValue is { } value && values.Add(value))
            .Select(field => field.Name)
            .ToImmutableEquatableArray();
    }

    private static TypeSpec Spec(ITypeSymbol type, WireKind kind) => new()
    {
        Kind = kind,
        TypeName = TypeNames.ForCode(type),
        DisplayName = TypeNames.ForDisplay(type),
        IsReferenceType = type.IsReferenceType,
        AcceptsNil = type.IsReferenceType && type.NullableAnnotation != NullableAnnotation.NotAnnotated,
    };

    /// <summary>
    /// The reason a type cannot travel: the type and what is wrong with it, and where it sits when it
    /// is not the parameter's own type (<c>'object' (at order.Lines[].Extra) is not a concrete type</c>).
    /// </summary>
    public static string Fail(ITypeSymbol type, string path, string why)
        => path.IndexOfAny(['.', '[']) < 0
            ? $"'{TypeNames.ForDisplay(type)}' {why}"
            : $"'{TypeNames.ForDisplay(type)}' (at {path}) {why}";

    /// <summary>Why a type that is neither primitive nor a collection is no user object, or null when it may be one.</summary>
    private static string? Unsupported(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_Object || type.TypeKind is TypeKind.Dynamic or TypeKind.Interface or TypeKind.TypeParameter
            || type.IsAbstract)
        {
            return "is not a concrete type";
        }
        if (type.IsTupleType)
        {
            return "is a tuple";
        }
        if (type.TypeKind == TypeKind.Delegate)
        {
            return "is a delegate";
        }
        if (type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
        {
            return "is a pointer";
        }
        if (type.IsRefLikeType)
        {
            return "is a ref struct";
        }
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct })
        {
            return "is not a class, struct or record";
        }
        if (TypeNames.IsFrameworkType(type))
        {
            return "is a .NET library type without a wire encoding";
        }
        return null;
    }

    private static WireKind? Primitive(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Boolean => WireKind.Boolean,
        SpecialType.System_SByte => WireKind.SByte,
        SpecialType.System_Byte => WireKind.Byte,
        SpecialType.System_Int16 => WireKind.Int16,
        SpecialType.System_UInt16 => WireKind.UInt16,
        SpecialType.System_Int32 => WireKind.Int32,
        SpecialType.System_UInt32 => WireKind.UInt32,
        SpecialType.System_Int64 => WireKind.Int64,
        SpecialType.System_UInt64 => WireKind.UInt64,
        SpecialType.System_Single => WireKind.Single,
        SpecialType.System_Double => WireKind.Double,
        SpecialType.System_Char => WireKind.Char,
        SpecialType.System_String => WireKind.String,
        SpecialType.System_Decimal => WireKind.Decimal,
        SpecialType.System_DateTime => WireKind.DateTime,
        _ => TypeNames.MetadataName(type) switch
        {
            "System.Guid" => WireKind.Guid,
            "System.DateTimeOffset" => WireKind.DateTimeOffset,
            "System.TimeSpan" => WireKind.TimeSpan,
            "TaskQueue.Messages.TaskError" => WireKind.TaskError,
            _ => null,
        },
    };

    /// <summary>Which supported collection a generic type is: "List", "Enumerable" (copied before writing) or "Dictionary".</summary>
    private static string? Collection(INamedTypeSymbol type) => TypeNames.MetadataName(type) switch
    {
        "System.Collections.Generic.List`1"
            or "System.Collections.Generic.IList`1"
            or "System.Collections.Generic.ICollection`1"
            or "System.Collections.Generic.IReadOnlyList`1"
            or "System.Collections.Generic.IReadOnlyCollection`1" => "List",
        "System.Collections.Generic.IEnumerable`1" => "Enumerable",
        "System.Collections.Generic.Dictionary`2"
            or "System.Collections.Generic.IDictionary`2"
            or "System.Collections.Generic.IReadOnlyDictionary`2" => "Dictionary",
        _ => null,
    };
}
