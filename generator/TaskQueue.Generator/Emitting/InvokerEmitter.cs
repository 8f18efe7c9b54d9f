using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes a stub's private half: encoding the arguments, the invoker that decodes them, calls the
/// method and encodes its result, and the result reader that <c>TaskResult&lt;T&gt;</c> uses.
/// </summary>
internal static class InvokerEmitter
{
    public static void Emit(SourceWriter w, StubShape s)
    {
        EmitResultHandles(w, s);
        EmitEncodeArguments(w, s);
        FlowMembersEmitter.EmitEncodeRest(w, s);
        EmitDecodeArguments(w, s);
        EmitInvoke(w, s);
        if (s.Spec.Return.Value is { } value)
        {
            w.WriteLine();
            EmitEncodeResult(w, value);
            w.WriteLine();
            EmitReadResult(w, value);
        }
    }

    private static void EmitResultHandles(SourceWriter w, StubShape s)
    {
        string reader = s.HasValue ? ", ReadResult" : "";
        w.WriteLine($"private static {s.ResultType} ResultOf({Known.TaskApp} app, string id) => new {s.ResultType}(app, id, Name{reader});");
        w.WriteLine();
        w.OpenBlock($"private static {Known.IReadOnlyList}<{s.ResultType}> ResultsOf({Known.TaskApp} app, {Known.IReadOnlyList}<string> ids)");
        w.WriteLine($"var results = new {s.ResultType}[ids.Count];");
        w.OpenBlock("for (int i = 0; i < results.Length; i++)").WriteLine("results[i] = ResultOf(app, ids[i]);").CloseBlock();
        w.WriteLine("return results;");
        w.CloseBlock();
        w.WriteLine();
    }

    /// <summary>The arguments travel as a MessagePack array in parameter order; no names, no types.</summary>
    private static void EmitEncodeArguments(SourceWriter w, StubShape s)
    {
        var names = new NameScope(s.Payload.Select(p => p.Name));
        string buffer = names.Unique("buffer"), writer = names.Unique("writer");
        w.OpenBlock($"private static byte[] EncodeArguments({s.PayloadParameters(withDefaults: false)})");
        w.WriteLine($"var {buffer} = {Known.PayloadBuffer}.Rent();");
        w.WriteLine($"var {writer} = new {Known.MessagePackWriter}({buffer});");
        w.WriteLine($"{writer}.WriteArrayHeader({s.Payload.Count.ToString(CultureInfo.InvariantCulture)});");
        foreach (var p in s.Payload)
        {
            ValueCodecEmitter.EmitWrite(w, p.Wire!, Identifiers.Escape(p.Name), writer, names);
        }
        w.WriteLine($"{writer}.Flush();");
        w.WriteLine($"return {Known.PayloadBuffer}.ToArrayAndReturn({buffer});");
        w.CloseBlock();
        w.WriteLine();
    }

    /// <summary>
    /// Fewer elements than parameters (a message from before a trailing parameter was added) take the
    /// parameters' defaults; extra elements (from a newer caller) are ignored.
    /// </summary>
    private static void EmitDecodeArguments(SourceWriter w, StubShape s)
    {
        var names = new NameScope(s.Payload.Select(p => p.Name).Concat(["arguments", "Name"]));
        string reader = names.Unique("reader"), count = names.Unique("count"), e = names.Unique("e");
        string outs = string.Concat(s.Payload.Select(p => $", out {p.TypeName} {Identifiers.Escape(p.Name)}"));
        w.OpenBlock($"private static void DecodeArguments({Known.ReadOnlyMemoryOfByte} arguments{outs})");
        w.WriteLine($"var {reader} = new {Known.MessagePackReader}(arguments);");
        w.WriteLine($"int {count};");
        w.OpenBlock("try").WriteLine($"{count} = {Known.Primitives}.ReadArrayHeader(ref {reader}, \"arguments\");").CloseBlock();
        w.OpenBlock($"catch ({Known.Exception} {e})").WriteLine($"throw {Known.Primitives}.BadArguments({s.Member("Name")}, {e});").CloseBlock();
        for (int i = 0; i < s.Payload.Count; i++)
        {
            var p = s.Payload[i];
            string name = Identifiers.Escape(p.Name), index = i.ToString(CultureInfo.InvariantCulture);
            w.OpenBlock($"if ({count} > {index})");
            w.OpenBlock("try");
            ValueCodecEmitter.EmitRead(w, p.Wire!, name, reader, names);
            w.CloseBlock();
            w.OpenBlock($"catch ({Known.Exception} {e})");
            w.WriteLine($"throw {Known.Primitives}.BadArgument({s.Member("Name")}, {ValueCodecEmitter.Literal(p.Name)}, {ValueCodecEmitter.Literal(p.Wire!.DisplayName)}, {e});");
            w.CloseBlock();
            w.CloseBlock();
            w.OpenBlock("else");
            w.WriteLine(p.DefaultValue is { } value
                ? $"{name} = {value};"
                : $"throw {Known.Primitives}.MissingArgument({s.Member("Name")}, {ValueCodecEmitter.Literal(p.Name)}, {index});");
            w.CloseBlock();
        }
        w.CloseBlock();
        w.WriteLine();
    }

    private static void EmitInvoke(SourceWriter w, StubShape s)
    {
        var spec = s.Spec;
        var names = new NameScope(["arguments", "context", "cancellationToken", "result", .. StubShape.MemberNames, .. StubShape.RecurringMemberNames, .. StubShape.PeriodicMemberNames]);
        var locals = new Dictionary<string, string>();
        foreach (var p in s.Payload) locals[p.Name] = names.Unique(p.Name);
        string result = "result";
        bool isAsync = spec.Return.IsAsync;

        w.OpenBlock($"private static {(isAsync ? "async " : "")}{Known.ValueTask}<byte[]?> Invoke({Known.ReadOnlyMemoryOfByte} arguments, {Known.TaskContext} context, {Known.CancellationToken} cancellationToken)");
        w.WriteLine($"DecodeArguments(arguments{string.Concat(s.Payload.Select(p => ", out var " + Identifiers.Escape(locals[p.Name])))});");
        string call = $"{spec.ContainingTypeName}.{Identifiers.Escape(spec.MethodName)}({string.Join(", ", spec.Parameters.Select(p => p.Role switch
        {
            ParameterRole.Context => "context",
            ParameterRole.Cancellation => "cancellationToken",
            ParameterRole.Service => $"context.GetRequiredService<{p.TypeName}>({ValueCodecEmitter.Literal(p.Name)})",
            _ => Identifiers.Escape(locals[p.Name]),
        }))})";
        switch (spec.Return.Kind)
        {
            case ReturnKind.Void:
                w.WriteLine(call + ";");
                w.WriteLine("return default;");
                break;
            case ReturnKind.Value:
                w.WriteLine($"var {result} = {call};");
                w.WriteLine($"return new {Known.ValueTask}<byte[]?>(EncodeResult({result}));");
                break;
            case ReturnKind.Task or ReturnKind.ValueTask:
                w.WriteLine($"await {call}.ConfigureAwait(false);");
                w.WriteLine("return null;");
                break;
            default:
                w.WriteLine($"var {result} = await {call}.ConfigureAwait(false);");
                w.WriteLine($"return EncodeResult({result});");
                break;
        }
        w.CloseBlock();
    }

    /// <summary>A null result stores nothing (unless the app stores "none"), as <c>void</c> does.</summary>
    private static void EmitEncodeResult(SourceWriter w, TypeSpec value)
    {
        w.OpenBlock($"private static byte[]? EncodeResult({value.TypeName} result)");
        bool nullable = value.IsReferenceType || value.Kind == WireKind.Nullable;
        if (nullable)
        {
            w.OpenBlock("if (result is null)").WriteLine("return null;").CloseBlock();
        }
        w.WriteLine($"var buffer = {Known.PayloadBuffer}.Rent();");
        w.WriteLine($"var writer = new {Known.MessagePackWriter}(buffer);");
        ValueCodecEmitter.EmitWrite(w, value, "result", "writer", new NameScope(["result", "buffer", "writer"]), notNull: nullable);
        w.WriteLine("writer.Flush();");
        w.WriteLine($"return {Known.PayloadBuffer}.ToArrayAndReturn(buffer);");
        w.CloseBlock();
    }

    private static void EmitReadResult(SourceWriter w, TypeSpec value)
    {
        string signature = $"private static {value.TypeName} ReadResult(ref {Known.MessagePackReader} reader)";
        if (ValueCodecEmitter.ReadExpression(value, "reader") is { } expression)
        {
            w.WriteLine($"{signature} => {expression};");
            return;
        }
        w.OpenBlock(signature);
        w.WriteLine($"{value.TypeName} result;");
        ValueCodecEmitter.EmitRead(w, value, "result", "reader", new NameScope(["result", "reader"]));
        w.WriteLine("return result;");
        w.CloseBlock();
    }
}
