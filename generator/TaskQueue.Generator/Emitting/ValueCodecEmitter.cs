using Microsoft.CodeAnalysis.CSharp;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes the statements that encode or decode one value of a <see cref="TypeSpec"/>, recursing into
/// nullables and collections; user types call their pair of methods in the shared <c>TaskCodecs</c>.
/// Locals come from a <see cref="NameScope"/> so that nested collections and user parameter names never clash.
/// </summary>
internal static class ValueCodecEmitter
{
    /// <summary>Statements writing <paramref name="value"/>, an expression that may be evaluated more than once.</summary>
    /// <param name="notNull">The caller has checked <paramref name="value"/> for null already.</param>
    public static void EmitWrite(SourceWriter w, TypeSpec type, string value, string writer, NameScope names, bool notNull = false)
    {
        if (WriteStatement(type, value, writer) is { } statement)
        {
            w.WriteLine(statement);
            return;
        }
        if (type.Kind == WireKind.Nullable && notNull)
        {
            EmitWrite(w, type.Element!, value + ".Value", writer, names);
            return;
        }
        if (type.Kind == WireKind.Nullable)
        {
            w.OpenBlock($"if ({value}.HasValue)");
            EmitWrite(w, type.Element!, value + ".Value", writer, names);
            w.CloseBlock();
            w.OpenBlock("else").WriteLine($"{writer}.WriteNil();").CloseBlock();
            return;
        }
        bool guard = type.IsReferenceType && !notNull;
        if (guard)
        {
            w.OpenBlock($"if ({value} is null)").WriteLine($"{writer}.WriteNil();").CloseBlock();
            w.OpenBlock("else");
        }
        switch (type.Kind)
        {
            case WireKind.Array or WireKind.List:
                string items = value;
                if (type.IsEnumerable)
                {
                    items = names.Unique("items");
                    w.WriteLine($"var {items} = new {Known.List}<{type.Element!.TypeName}>({value});");
                }
                w.WriteLine($"{writer}.WriteArrayHeader({items}.{(type.Kind == WireKind.Array ? "Length" : "Count")});");
                string item = names.Unique("item");
                w.OpenBlock($"foreach (var {item} in {items})");
                EmitWrite(w, type.Element!, item, writer, names);
                w.CloseBlock();
                break;
            case WireKind.Dictionary:
                w.WriteLine($"{writer}.WriteMapHeader({value}.Count);");
                string entry = names.Unique("entry");
                w.OpenBlock($"foreach (var {entry} in {value})");
                w.WriteLine($"{writer}.Write({entry}.Key);");
                EmitWrite(w, type.Element!, entry + ".Value", writer, names);
                w.CloseBlock();
                break;
            default:
                w.WriteLine($"{Known.TaskCodecs}.Write(ref {writer}, {value});");
                break;
        }
        if (guard)
        {
            w.CloseBlock();
        }
    }

    /// <summary>Statements reading the next value into <paramref name="target"/>, a variable of the type.</summary>
    public static void EmitRead(SourceWriter w, TypeSpec type, string target, string reader, NameScope names)
    {
        if (ReadExpression(type, reader) is { } expression)
        {
            w.WriteLine($"{target} = {expression};");
            return;
        }
        if (type.Kind == WireKind.Nullable)
        {
            w.OpenBlock($"if ({reader}.TryReadNil())").WriteLine($"{target} = null;").CloseBlock();
            w.OpenBlock("else");
            if (type.Element!.Kind == WireKind.Object)
            {
                // The codec's out parameter has the underlying type, not the nullable one.
                string value = names.Unique("value");
                w.WriteLine($"{Known.TaskCodecs}.Read(ref {reader}, out {type.Element.TypeName} {value});");
                w.WriteLine($"{target} = {value};");
            }
            else
            {
                EmitRead(w, type.Element, target, reader, names);
            }
            w.CloseBlock();
            return;
        }
        if (type.IsReferenceType)
        {
            w.OpenBlock($"if ({reader}.TryReadNil())");
            w.WriteLine(type.AcceptsNil ? $"{target} = null;" : $"throw {NilError(type)};");
            w.CloseBlock();
            if (type.AcceptsNil) w.OpenBlock("else");
        }
        switch (type.Kind)
        {
            case WireKind.Array:
                EmitReadArray(w, type, target, reader, names);
                break;
            case WireKind.List:
                EmitReadList(w, type, target, reader, names);
                break;
            case WireKind.Dictionary:
                EmitReadDictionary(w, type, target, reader, names);
                break;
            default:
                w.WriteLine($"{Known.TaskCodecs}.Read(ref {reader}, out {target});");
                break;
        }
        if (type.IsReferenceType && type.AcceptsNil)
        {
            w.CloseBlock();
        }
    }

    // Every array and map is entered and left, so that a hostile payload cannot nest deeper than
    // Primitives.MaxDepth, and collections are created for at most Primitives.MaxPresizedCount elements
    // and grow as elements arrive, so that a header's count alone cannot claim memory.

    private static void EmitReadArray(SourceWriter w, TypeSpec type, string target, string reader, NameScope names)
    {
        string count = names.Unique("count"), array = names.Unique("array"), i = names.Unique("i");
        w.WriteLine($"int {count} = {Known.Primitives}.EnterArray(ref {reader}, {Literal(type.DisplayName)});");
        w.WriteLine($"var {array} = {ArrayCreation(type, $"{Known.Primitives}.Capacity({count})")};");
        w.OpenBlock($"for (int {i} = 0; {i} < {count}; {i}++)");
        w.WriteLine($"if ({i} == {array}.Length) {Known.Primitives}.Grow(ref {array}, {count});");
        EmitRead(w, type.Element!, $"{array}[{i}]", reader, names);
        w.CloseBlock();
        w.WriteLine($"{Known.Primitives}.Leave(ref {reader});");
        w.WriteLine($"{target} = {array};");
    }

    private static void EmitReadList(SourceWriter w, TypeSpec type, string target, string reader, NameScope names)
    {
        var element = type.Element!;
        string count = names.Unique("count"), list = names.Unique("list"), i = names.Unique("i");
        w.WriteLine($"int {count} = {Known.Primitives}.EnterArray(ref {reader}, {Literal(type.DisplayName)});");
        w.WriteLine($"var {list} = new {Known.List}<{element.TypeName}>({Known.Primitives}.Capacity({count}));");
        w.OpenBlock($"for (int {i} = 0; {i} < {count}; {i}++)");
        if (ReadExpression(element, reader) is { } expression)
        {
            w.WriteLine($"{list}.Add({expression});");
        }
        else
        {
            string item = names.Unique("item");
            w.WriteLine($"{element.TypeName} {item};");
            EmitRead(w, element, item, reader, names);
            w.WriteLine($"{list}.Add({item});");
        }
        w.CloseBlock();
        w.WriteLine($"{Known.Primitives}.Leave(ref {reader});");
        w.WriteLine($"{target} = {list};");
    }

    private static void EmitReadDictionary(SourceWriter w, TypeSpec type, string target, string reader, NameScope names)
    {
        var element = type.Element!;
        string count = names.Unique("count"), map = names.Unique("map"), i = names.Unique("i"), key = names.Unique("key");
        w.WriteLine($"int {count} = {Known.Primitives}.EnterMap(ref {reader}, {Literal(type.DisplayName)});");
        w.WriteLine($"var {map} = new {Known.Dictionary}<string, {element.TypeName}>({Known.Primitives}.Capacity({count}));");
        w.OpenBlock($"for (int {i} = 0; {i} < {count}; {i}++)");
        w.WriteLine($"string {key} = {Known.Primitives}.ReadRequiredString(ref {reader});");
        if (ReadExpression(element, reader) is { } expression)
        {
            w.WriteLine($"{map}[{key}] = {expression};");
        }
        else
        {
            string value = names.Unique("value");
            w.WriteLine($"{element.TypeName} {value};");
            EmitRead(w, element, value, reader, names);
            w.WriteLine($"{map}[{key}] = {value};");
        }
        w.CloseBlock();
        w.WriteLine($"{Known.Primitives}.Leave(ref {reader});");
        w.WriteLine($"{target} = {map};");
    }

    /// <summary>The one statement that writes a scalar, or null for composite types.</summary>
    private static string? WriteStatement(TypeSpec type, string value, string writer) => type.Kind switch
    {
        WireKind.Bytes => $"{Known.Primitives}.WriteBytes(ref {writer}, {value});",
        WireKind.TaskError => $"{Known.Primitives}.WriteTaskError(ref {writer}, {value});",
        WireKind.Decimal or WireKind.Guid or WireKind.DateTime or WireKind.DateTimeOffset or WireKind.TimeSpan
            => $"{Known.Primitives}.Write{type.Kind}(ref {writer}, {value});",
        WireKind.Enum => $"{writer}.Write(({Keyword(type.EnumUnderlying)}){value});",
        _ when IsNative(type.Kind) => $"{writer}.Write({value});",
        _ => null,
    };

    /// <summary>The one expression that reads a scalar, or null for composite types.</summary>
    public static string? ReadExpression(TypeSpec type, string reader) => type.Kind switch
    {
        WireKind.String => type.AcceptsNil ? $"{reader}.ReadString()" : $"{Known.Primitives}.ReadRequiredString(ref {reader})",
        WireKind.Bytes => type.AcceptsNil
            ? $"{Known.Primitives}.ReadBytes(ref {reader})"
            : $"{Known.Primitives}.ReadBytes(ref {reader}) ?? throw {NilError(type)}",
        WireKind.Decimal or WireKind.Guid or WireKind.DateTime or WireKind.DateTimeOffset or WireKind.TimeSpan
            => $"{Known.Primitives}.Read{type.Kind}(ref {reader})",
        WireKind.TaskError => type.AcceptsNil
            ? $"{Known.Primitives}.ReadTaskError(ref {reader})"
            : $"{Known.Primitives}.ReadTaskError(ref {reader}) ?? throw {NilError(type)}",
        WireKind.Enum => $"({type.TypeName}){reader}.Read{type.EnumUnderlying}()",
        _ when IsNative(type.Kind) => $"{reader}.Read{type.Kind}()",
        _ => null,
    };

    private static bool IsNative(WireKind kind) => kind is WireKind.Boolean or WireKind.SByte or WireKind.Byte or WireKind.Int16
        or WireKind.UInt16 or WireKind.Int32 or WireKind.UInt32 or WireKind.Int64 or WireKind.UInt64 or WireKind.Single
        or WireKind.Double or WireKind.Char or WireKind.String;

    private static string NilError(TypeSpec type)
        => $"new {Known.MessagePackSerializationException}({Literal("expected " + type.DisplayName + ", found nil")})";

    /// <summary><c>new E[n]</c>, with the brackets of jagged arrays after the length: <c>new int[n][]</c>.</summary>
    private static string ArrayCreation(TypeSpec array, string length)
    {
        string suffix = "";
        var element = array.Element!;
        while (element.Kind is WireKind.Array or WireKind.Bytes)
        {
            suffix += "[]";
            if (element.Kind == WireKind.Bytes) return $"new byte[{length}]{suffix}";
            element = element.Element!;
        }
        return $"new {element.TypeName}[{length}]{suffix}";
    }

    private static string Keyword(WireKind kind) => kind switch
    {
        WireKind.SByte => "sbyte",
        WireKind.Byte => "byte",
        WireKind.Int16 => "short",
        WireKind.UInt16 => "ushort",
        WireKind.UInt32 => "uint",
        WireKind.Int64 => "long",
        WireKind.UInt64 => "ulong",
        _ => "int",
    };

    public static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);
}
