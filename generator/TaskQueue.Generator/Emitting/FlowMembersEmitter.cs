using System.Globalization;
using System.Linq;

namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes the members that make unsent calls for workflows: <c>S</c> (a signature with every argument), <c>Step</c>
/// (a pipeline step without its first argument, typed by it, so that a step that cannot take the previous result
/// does not compile) and <c>Map</c> (a group of signatures), with the encoder of a step's remaining arguments.
/// </summary>
internal static class FlowMembersEmitter
{
    public const string TaskSignature = "global::TaskQueue.TaskSignature";
    public const string TaskStep = "global::TaskQueue.TaskStep";
    public const string TaskGroup = "global::TaskQueue.TaskGroup";
    public const string NoResult = "global::TaskQueue.NoResult";

    public static void Emit(SourceWriter w, StubShape s)
    {
        string value = s.Spec.Return.Value?.TypeName ?? NoResult;
        string reader = s.HasValue ? s.Member("ReadResult") : NoResult + ".Read";
        string signature = $"{TaskSignature}<{value}>";
        string descriptor = s.Member("Descriptor");

        Docs.Summary(w, "A call of the task with these arguments, not sent yet: enqueue it with per-call options, or put it in a pipeline, a group or a chord.");
        foreach (var p in s.Payload) Docs.Param(w, p.Name, $"The task's <c>{p.Name}</c> argument.");
        w.WriteLine($"public static {signature} S({s.PayloadDeclarations})");
        w.Indentation++;
        w.WriteLine($"=> new {signature}({descriptor}, {s.Member("EncodeArguments")}({s.PayloadArguments}), {reader});");
        w.Indentation--;
        w.WriteLine();
        if (s.Payload.Count == 0) return;

        var first = s.Payload[0];
        var rest = s.Payload.Skip(1).ToList();
        string step = $"{TaskStep}<{first.TypeName}, {value}>";
        Docs.Summary(w, $"A pipeline step of the task: every argument but the first, <c>{first.Name}</c>, which is the result of the step before it.");
        foreach (var p in rest) Docs.Param(w, p.Name, $"The task's <c>{p.Name}</c> argument.");
        string restDeclarations = string.Join(", ", rest.Select(p => p.TypeName + " " + Identifiers.Escape(p.Name) + (p.DefaultValue is not null ? " = " + p.DefaultValue : "")));
        string restArguments = string.Join(", ", rest.Select(p => Identifiers.Escape(p.Name)));
        w.WriteLine($"public static {step} Step({restDeclarations})");
        w.Indentation++;
        w.WriteLine($"=> new {step}({descriptor}, {Member(s, "EncodeRestArguments")}({restArguments}), {reader});");
        w.Indentation--;
        w.WriteLine();

        Docs.Summary(w, "A group of calls of the task, one per item, not sent yet (huey's <c>map</c>): enqueue it, or make a chord with <c>Then</c>.");
        Docs.Param(w, "arguments", "The arguments of each call.");
        w.OpenBlock($"public static {TaskGroup}<{value}> Map({Known.IEnumerable}<{s.ManyElementType}> arguments)");
        w.WriteLine($"{Known.ArgumentNullException}.ThrowIfNull(arguments);");
        w.WriteLine($"var calls = new {Known.List}<{signature}>();");
        w.OpenBlock("foreach (var item in arguments)");
        var items = Enumerable.Range(0, s.Payload.Count).Select(i => s.ManyElementArgument("item", i));
        w.WriteLine($"calls.Add(new {signature}({descriptor}, {s.Member("EncodeArguments")}({string.Join(", ", items)}), {reader}));");
        w.CloseBlock();
        w.WriteLine($"return {TaskGroup}.Of(calls);");
        w.CloseBlock();
        w.WriteLine();
    }

    /// <summary>A step's arguments travel without the first, which the worker puts in front when the step before it ends.</summary>
    public static void EmitEncodeRest(SourceWriter w, StubShape s)
    {
        if (s.Payload.Count == 0) return;
        var rest = s.Payload.Skip(1).ToList();
        var names = new NameScope(rest.Select(p => p.Name));
        string buffer = names.Unique("buffer"), writer = names.Unique("writer");
        w.OpenBlock($"private static byte[] EncodeRestArguments({string.Join(", ", rest.Select(p => p.TypeName + " " + Identifiers.Escape(p.Name)))})");
        w.WriteLine($"var {buffer} = {Known.PayloadBuffer}.Rent();");
        w.WriteLine($"var {writer} = new {Known.MessagePackWriter}({buffer});");
        w.WriteLine($"{writer}.WriteArrayHeader({rest.Count.ToString(CultureInfo.InvariantCulture)});");
        foreach (var p in rest) ValueCodecEmitter.EmitWrite(w, p.Wire!, Identifiers.Escape(p.Name), writer, names);
        w.WriteLine($"{writer}.Flush();");
        w.WriteLine($"return {Known.PayloadBuffer}.ToArrayAndReturn({buffer});");
        w.CloseBlock();
        w.WriteLine();
    }

    /// <summary>A stub member named in a method that has the step's remaining parameters in scope.</summary>
    private static string Member(StubShape s, string name) => s.Payload.Skip(1).Any(p => p.Name == name) ? s.StubTypeName + "." + name : name;
}
