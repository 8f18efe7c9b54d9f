namespace TaskQueue.Generator.Emitting;

/// <summary>
/// Writes <c>EnqueueManyAsync</c>: one round trip for many runs. Its element is the one payload
/// type, a tuple of several, or for a task without arguments just a count.
/// </summary>
internal static class EnqueueManyEmitter
{
    public static void Emit(SourceWriter w, StubShape s, bool bound, string on)
    {
        string token = Known.CancellationToken + " cancellationToken = default";
        string returns = $"{Known.ValueTask}<{Known.IReadOnlyList}<{s.ResultType}>>";
        bool byCount = s.Payload.Count == 0;

        Docs.Summary(w, $"Enqueues many runs of the task on {on}, in one round trip.");
        if (byCount)
        {
            Docs.Param(w, "count", "How many runs to enqueue.");
        }
        else
        {
            Docs.Param(w, "arguments", "The arguments of each run.");
        }
        Docs.CancellationParam(w);
        Docs.Returns(w, "A handle on each run, in order.");
        string parameters = byCount ? $"int count, {token}" : $"{Known.IEnumerable}<{s.ManyElementType}> arguments, {token}";
        if (!bound)
        {
            w.WriteLine($"public static {returns} EnqueueManyAsync({parameters})");
            w.Indentation++;
            w.WriteLine($"=> With({Known.TaskApp}.Current).EnqueueManyAsync({(byCount ? "count" : "arguments")}, cancellationToken);");
            w.Indentation--;
            w.WriteLine();
            return;
        }

        w.OpenBlock($"public async {returns} EnqueueManyAsync({parameters})");
        if (byCount)
        {
            w.WriteLine($"{Known.ArgumentOutOfRangeException}.ThrowIfNegative(count);");
            w.WriteLine($"var payloads = new {Known.ReadOnlyMemoryOfByte}[count];");
            w.WriteLine($"global::System.Array.Fill(payloads, EncodeArguments());");
        }
        else
        {
            w.WriteLine($"{Known.ArgumentNullException}.ThrowIfNull(arguments);");
            w.WriteLine($"var payloads = new {Known.List}<{Known.ReadOnlyMemoryOfByte}>();");
            w.OpenBlock("foreach (var item in arguments)");
            var items = new string[s.Payload.Count];
            for (int i = 0; i < items.Length; i++) items[i] = s.ManyElementArgument("item", i);
            w.WriteLine($"payloads.Add(EncodeArguments({string.Join(", ", items)}));");
            w.CloseBlock();
        }
        w.WriteLine($"var ids = await this.App.EnqueueManyAsync(Descriptor, payloads, cancellationToken).ConfigureAwait(false);");
        w.WriteLine("return ResultsOf(this.App, ids);");
        w.CloseBlock();
        w.WriteLine();
    }
}
