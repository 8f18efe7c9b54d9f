namespace TaskQueue.Generator.Model;

/// <summary>How a value travels in MessagePack.</summary>
internal enum WireKind
{
    Boolean,
    SByte,
    Byte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    Char,
    String,
    Bytes,
    Decimal,
    Guid,
    DateTime,
    DateTimeOffset,
    TimeSpan,
    Enum,
    Nullable,
    Array,
    List,
    Dictionary,
    Object,
    /// <summary><c>TaskQueue.Messages.TaskError</c>: what an error step gets as its first argument.</summary>
    TaskError,
}

/// <summary>
/// A type that can travel, described recursively. User types are described once, as an
/// <see cref="ObjectSpec"/>, and referred to here by name, so that a type holding a list of itself
/// stays a finite tree.
/// </summary>
internal sealed record TypeSpec
{
    public required WireKind Kind { get; init; }

    /// <summary>The type, <c>global::</c>-qualified with nullable annotations, as generated declarations write it.</summary>
    public required string TypeName { get; init; }

    /// <summary>The type as error messages show it: <c>int</c>, <c>Beans.Order</c>.</summary>
    public required string DisplayName { get; init; }

    public bool IsReferenceType { get; init; }

    /// <summary>
    /// For reference types: whether nil decodes as null. True when the type is annotated <c>?</c> or
    /// declared where nullable annotations are off; false for a non-nullable reference, where nil is
    /// a decode error so that such a parameter never sees null.
    /// </summary>
    public bool AcceptsNil { get; init; }

    /// <summary>The underlying type of a nullable value type, the element of an array or list, the value of a dictionary.</summary>
    public TypeSpec? Element { get; init; }

    /// <summary>For enums: the integer kind they travel as.</summary>
    public WireKind EnumUnderlying { get; init; }

    /// <summary>
    /// For enums: the members that name a value, in declaration order; of members sharing a value only the
    /// first (so that a value has one name, and a <c>switch</c> on them has no duplicate case).
    /// </summary>
    public ImmutableEquatableArray<string>? EnumMembers { get; init; }

    /// <summary>For lists declared as <c>IEnumerable&lt;T&gt;</c>: copied once into a list before writing, for its count.</summary>
    public bool IsEnumerable { get; init; }
}
