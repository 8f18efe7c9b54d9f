namespace TaskQueue.Generator.Model;

/// <summary>
/// A user record, class or struct that travels as a MessagePack array of its members. The shared
/// <c>TaskCodecs</c> class gets one write and one read method per object.
/// </summary>
internal sealed record ObjectSpec
{
    /// <summary>The type, <c>global::</c>-qualified, without nullable annotation.</summary>
    public required string TypeName { get; init; }

    public required string DisplayName { get; init; }

    public required bool IsValueType { get; init; }

    /// <summary>The members in wire order: declaration order, base type first.</summary>
    public required ImmutableEquatableArray<MemberSpec> Members { get; init; }

    /// <summary>The chosen constructor's parameters, in its order; empty for the parameterless one.</summary>
    public required ImmutableEquatableArray<ConstructorArgumentSpec> ConstructorArguments { get; init; }
}

/// <summary>How a decoded member gets into the new object.</summary>
internal enum MemberAssignment
{
    /// <summary>Passed to the constructor.</summary>
    Constructor,

    /// <summary>Set in the object initializer (init-only or required); <c>default</c> when absent from old data.</summary>
    Initializer,

    /// <summary>Assigned after construction, only when present, so a missing member keeps its initial value.</summary>
    Setter,
}

/// <summary>One property or field of an <see cref="ObjectSpec"/>.</summary>
internal sealed record MemberSpec
{
    public required string Name { get; init; }

    public required TypeSpec Type { get; init; }

    public required MemberAssignment Assignment { get; init; }
}

/// <summary>One constructor parameter: the member it takes, and its default value for old data that lacks it.</summary>
internal sealed record ConstructorArgumentSpec
{
    public required int MemberIndex { get; init; }

    /// <summary>The parameter's default value as a C# expression, or null for <c>default</c>.</summary>
    public string? DefaultValue { get; init; }
}
