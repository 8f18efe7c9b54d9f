using System.Linq;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes a stub's <c>RenderArguments</c>, the task's <c>TaskQueue.ArgumentsRenderer</c>: it decodes the
/// arguments with the stub's own <c>DecodeArguments</c> and writes the values it gets as one JSON object,
/// a property per payload parameter. Decoding first, rather than walking the MessagePack a second way, keeps
/// one reading of the wire format: the JSON shows what the method would get (defaults for missing trailing
/// arguments), and bytes the worker would refuse fail here with the worker's error, under the decoders'
/// depth limit. The runtime catches that error and renders the bytes without names.
/// </summary>
internal static class RendererEmitter
{
    public static void Emit(SourceWriter w, StubShape s)
    {
        var names = new NameScope(["arguments", "writer", .. StubShape.MemberNames, .. StubShape.RecurringMemberNames, .. StubShape.PeriodicMemberNames]);
        var locals = s.Payload.Select(p => Identifiers.Escape(names.Unique(p.Name))).ToList();
        w.OpenBlock($"private static void RenderArguments({Known.ReadOnlyMemoryOfByte} arguments, {Known.Utf8JsonWriter} writer)");
        w.WriteLine($"DecodeArguments(arguments{string.Concat(locals.Select(local => ", out var " + local))});");
        w.WriteLine("writer.WriteStartObject();");
        for (int i = 0; i < s.Payload.Count; i++)
        {
            w.WriteLine($"writer.WritePropertyName({ValueCodecEmitter.Literal(s.Payload[i].Name)});");
            JsonValueEmitter.EmitWrite(w, s.Payload[i].Wire!, locals[i], "writer", names);
        }
        w.WriteLine("writer.WriteEndObject();");
        w.CloseBlock();
    }
}
