using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes the statements that write one decoded value of a <see cref="TypeSpec"/> as JSON for people to
/// read, with <c>Utf8JsonWriter</c> calls only (no serializer, no reflection): the same recursion over the
/// type model as <see cref="ValueCodecEmitter"/>, ending in a JSON value where that ends in MessagePack.
/// User types call their <c>WriteJson</c> in the shared <c>TaskCodecs</c>. The forms are listed on
/// <c>TaskDescriptor.RenderArguments</c>; the runtime's <c>JsonPrimitives</c> holds the ones that take
/// more than one writer call.
/// </summary>
internal static class JsonValueEmitter
{
    /// <summary>Statements writing <paramref name="value"/>, an expression that may be evaluated more than once.</summary>
    public static void EmitWrite(SourceWriter w, TypeSpec type, string value, string writer, NameScope names)
    {
        if (type.Kind == WireKind.Enum)
        {
            EmitEnum(w, type, value, writer);
            return;
        }
        if (WriteStatement(type, value, writer) is { } statement)
        {
            w.WriteLine(statement);
            return;
        }
        if (type.Kind == WireKind.Nullable)
        {
            w.OpenBlock($"if ({value}.HasValue)");
            EmitWrite(w, type.Element!, value + ".Value", writer, names);
            w.CloseBlock();
            w.OpenBlock("else").WriteLine($"{writer}.WriteNullValue();").CloseBlock();
            return;
        }
        if (type.IsReferenceType)
        {
            w.OpenBlock($"if ({value} is null)").WriteLine($"{writer}.WriteNullValue();").CloseBlock();
            w.OpenBlock("else");
        }
        switch (type.Kind)
        {
            case WireKind.Array or WireKind.List:
                w.WriteLine($"{writer}.WriteStartArray();");
                string item = names.Unique("item");
                w.OpenBlock($"foreach (var {item} in {value})");
                EmitWrite(w, type.Element!, item, writer, names);
                w.CloseBlock();
                w.WriteLine($"{writer}.WriteEndArray();");
                break;
            case WireKind.Dictionary:
                w.WriteLine($"{writer}.WriteStartObject();");
                string entry = names.Unique("entry");
                w.OpenBlock($"foreach (var {entry} in {value})");
                w.WriteLine($"{Known.JsonPrimitives}.WritePropertyName({writer}, {entry}.Key);");
                EmitWrite(w, type.Element!, entry + ".Value", writer, names);
                w.CloseBlock();
                w.WriteLine($"{writer}.WriteEndObject();");
                break;
            default:
                w.WriteLine($"{Known.TaskCodecs}.WriteJson({writer}, {value});");
                break;
        }
        if (type.IsReferenceType)
        {
            w.CloseBlock();
        }
    }

    /// <summary>The one statement that writes a scalar, or null for composite types.</summary>
    private static string? WriteStatement(TypeSpec type, string value, string writer) => type.Kind switch
    {
        WireKind.Boolean => $"{writer}.WriteBooleanValue({value});",
        WireKind.SByte or WireKind.Byte or WireKind.Int16 or WireKind.UInt16 or WireKind.Int32 or WireKind.UInt32
            or WireKind.Int64 or WireKind.UInt64 or WireKind.Decimal => $"{writer}.WriteNumberValue({value});",
        WireKind.Single or WireKind.Double => $"{Known.JsonPrimitives}.WriteNumber({writer}, {value});",
        WireKind.Guid or WireKind.DateTime or WireKind.DateTimeOffset => $"{writer}.WriteStringValue({value});",
        WireKind.Char or WireKind.String or WireKind.Bytes or WireKind.TimeSpan or WireKind.TaskError
            => $"{Known.JsonPrimitives}.Write{type.Kind}({writer}, {value});",
        _ => null,
    };

    /// <summary>
    /// An enum value as the name of its member, picked by a <c>switch</c> over the members the generator saw,
    /// or as its number when no member has it.
    /// </summary>
    private static void EmitEnum(SourceWriter w, TypeSpec type, string value, string writer)
    {
        string number = type.EnumUnderlying == WireKind.UInt64 ? $"(ulong){value}" : $"(long){value}";
        var members = type.EnumMembers ?? ImmutableEquatableArray<string>.Empty;
        if (members.Count == 0)
        {
            w.WriteLine($"{writer}.WriteNumberValue({number});");
            return;
        }
        w.WriteLine($"{Known.JsonPrimitives}.WriteEnum({writer}, {value} switch");
        w.OpenBlock();
        foreach (string member in members)
        {
            w.WriteLine($"{type.TypeName}.{Identifiers.Escape(member)} => {ValueCodecEmitter.Literal(member)},");
        }
        w.WriteLine("_ => null,");
        w.CloseBlock($", {number});");
    }
}
