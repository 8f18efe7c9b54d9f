using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes <c>TaskQueue.Generated.TaskCodecs</c>: per user type a <c>Write</c>, a <c>Read</c> and a
/// <c>WriteJson</c> overload, shared by all tasks of the assembly. Methods rather than inline code, so
/// that a type holding itself (a tree node with a list of nodes) is just a recursive call.
/// </summary>
internal static class CodecsEmitter
{
    public const string HintName = "TaskQueue.Codecs.g.cs";

    public static SourceText Emit(CodecsSpec spec)
    {
        var w = new SourceWriter();
        w.WriteLine(Known.FileHeader);
        w.WriteLine(Known.SuppressImportedCodecsWarning);
        w.WriteLine();
        w.OpenBlock("namespace TaskQueue.Generated");
        w.WriteLine("/// <summary>");
        w.WriteLine("/// The MessagePack code for the user types in this assembly's task messages. Each type travels as an");
        w.WriteLine("/// array of its members in declaration order, without names; a reader takes defaults for members");
        w.WriteLine("/// missing at the end (older data) and skips extra ones (newer data). <c>WriteJson</c> writes a");
        w.WriteLine("/// decoded value as JSON with its member names, for the task's argument renderer.");
        w.WriteLine("/// </summary>");
        w.WriteLine(Known.GeneratedCodeAttribute);
        w.OpenBlock("internal static class TaskCodecs");
        for (int i = 0; i < spec.Objects.Count; i++)
        {
            if (i > 0) w.WriteLine();
            EmitWrite(w, spec.Objects[i]);
            w.WriteLine();
            EmitRead(w, spec.Objects[i]);
            w.WriteLine();
            EmitWriteJson(w, spec.Objects[i]);
        }
        w.CloseBlock();
        w.CloseBlock();
        return w.ToSourceText();
    }

    private static void EmitWrite(SourceWriter w, ObjectSpec o)
    {
        string members = string.Join(", ", o.Members.Select(m => m.Name));
        Docs.Summary(w, $"Writes a <c>{Docs.Escape(o.DisplayName)}</c> as <c>[{members}]</c>.");
        w.OpenBlock($"public static void Write(ref {Known.MessagePackWriter} writer, {o.TypeName} value)");
        w.WriteLine($"writer.WriteArrayHeader({Count(o.Members.Count)});");
        var names = new NameScope(["writer", "value"]);
        foreach (var member in o.Members)
        {
            ValueCodecEmitter.EmitWrite(w, member.Type, "value." + Identifiers.Escape(member.Name), "writer", names);
        }
        w.CloseBlock();
    }

    private static void EmitRead(SourceWriter w, ObjectSpec o)
    {
        Docs.Summary(w, $"Reads a <c>{Docs.Escape(o.DisplayName)}</c> that <c>Write</c> wrote.");
        w.OpenBlock($"public static void Read(ref {Known.MessagePackReader} reader, out {o.TypeName} value)");
        var names = new NameScope(["reader", "value"]);
        string count = names.Unique("count");
        var locals = o.Members.Select(m => Identifiers.Escape(names.Unique(Identifiers.Camel(m.Name)))).ToList();
        w.WriteLine($"int {count} = {Known.Primitives}.EnterArray(ref reader, {ValueCodecEmitter.Literal(o.DisplayName)});");

        var defaults = new Dictionary<int, string>();
        foreach (var argument in o.ConstructorArguments)
        {
            if (argument.DefaultValue is not null) defaults[argument.MemberIndex] = argument.DefaultValue;
        }
        for (int i = 0; i < o.Members.Count; i++)
        {
            string initial = defaults.TryGetValue(i, out var d) ? d : "default";
            w.WriteLine($"{o.Members[i].Type.TypeName} {locals[i]} = {initial};");
        }
        for (int i = 0; i < o.Members.Count; i++)
        {
            w.OpenBlock($"if ({count} > {Count(i)})");
            ValueCodecEmitter.EmitRead(w, o.Members[i].Type, locals[i], "reader", names);
            w.CloseBlock();
        }
        // MessagePack's Skip walks nested values in a loop, so an extra member nested deep costs no stack.
        string skip = names.Unique("i");
        w.OpenBlock($"for (int {skip} = {Count(o.Members.Count)}; {skip} < {count}; {skip}++)").WriteLine("reader.Skip();").CloseBlock();
        w.WriteLine($"{Known.Primitives}.Leave(ref reader);");

        string arguments = string.Join(", ", o.ConstructorArguments.Select(a => locals[a.MemberIndex]));
        var initialized = Enumerable.Range(0, o.Members.Count).Where(i => o.Members[i].Assignment == MemberAssignment.Initializer).ToList();
        if (initialized.Count == 0)
        {
            w.WriteLine($"value = new {o.TypeName}({arguments});");
        }
        else
        {
            w.WriteLine($"value = new {o.TypeName}({arguments})");
            w.OpenBlock();
            foreach (int i in initialized) w.WriteLine($"{Identifiers.Escape(o.Members[i].Name)} = {locals[i]},");
            w.CloseBlock(";");
        }
        for (int i = 0; i < o.Members.Count; i++)
        {
            if (o.Members[i].Assignment != MemberAssignment.Setter) continue;
            // Set only when present, so that a member missing from older data keeps its initial value.
            w.OpenBlock($"if ({count} > {Count(i)})").WriteLine($"value.{Identifiers.Escape(o.Members[i].Name)} = {locals[i]};").CloseBlock();
        }
        w.CloseBlock();
    }

    /// <summary>The decoded value as a JSON object of its members, for people to read (see <see cref="JsonValueEmitter"/>).</summary>
    private static void EmitWriteJson(SourceWriter w, ObjectSpec o)
    {
        string members = string.Join(", ", o.Members.Select(m => m.Name));
        Docs.Summary(w, $"Writes a <c>{Docs.Escape(o.DisplayName)}</c> as a JSON object <c>{{{members}}}</c>, for people to read.");
        w.OpenBlock($"public static void WriteJson({Known.Utf8JsonWriter} writer, {o.TypeName} value)");
        w.WriteLine("writer.WriteStartObject();");
        var names = new NameScope(["writer", "value"]);
        foreach (var member in o.Members)
        {
            w.WriteLine($"writer.WritePropertyName({ValueCodecEmitter.Literal(member.Name)});");
            JsonValueEmitter.EmitWrite(w, member.Type, "value." + Identifiers.Escape(member.Name), "writer", names);
        }
        w.WriteLine("writer.WriteEndObject();");
        w.CloseBlock();
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);
}
