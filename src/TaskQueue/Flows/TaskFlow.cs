using MessagePack;
using TaskQueue.Messages;
using TaskQueue.Serialization;

namespace TaskQueue.Flows;

/// <summary>
/// A message that follows a run: the envelope of a pipeline's next step, of an error step, or of a chord's
/// callback, with where it goes. Its envelope carries its own flow, so a pipeline nests step in step.
/// </summary>
/// <param name="TakesInput">Whether the run's result (or, for an error step, its error) becomes the first argument.</param>
/// <param name="Queue">The queue it goes to.</param>
/// <param name="Priority">Its priority there.</param>
/// <param name="Envelope">Its encoded envelope (<see cref="MessageCodec"/>), not signed: the sender signs when it sends.</param>
internal sealed record FlowStep(bool TakesInput, string Queue, int Priority, ReadOnlyMemory<byte> Envelope);

/// <summary>A chord a run belongs to: the member's index, how many members, and the callback to send once all are done.</summary>
internal sealed record ChordMembership(string ChordId, int Index, int Count, FlowStep Callback, FlowStep? OnError);

/// <summary>
/// What follows a run (<see cref="TaskMessage.Flow"/>): on success its <see cref="Next"/> step, on failure after its
/// retries its <see cref="OnError"/> step, and either way its <see cref="Chord"/>'s bookkeeping.
/// </summary>
/// <remarks>
/// Encoded as <c>[next, onError, chord]</c>, each nil when absent; a step is <c>[takesInput, queue, priority, envelope]</c>,
/// a chord <c>[chordId, index, count, callback, onError]</c>. Trailing fields may be added; readers skip what they do not know.
/// </remarks>
internal sealed record TaskFlow(FlowStep? Next, FlowStep? OnError, ChordMembership? Chord)
{
    /// <summary>The most steps a pipeline may have: each nests in the one before, and a reader bounds the depth.</summary>
    public const int MaxSteps = 100;

    public bool IsEmpty => Next is null && OnError is null && Chord is null;

    public byte[] Encode() => PayloadBuffer.Encode(this, static (ref MessagePackWriter w, TaskFlow f) =>
    {
        w.WriteArrayHeader(3);
        WriteStep(ref w, f.Next);
        WriteStep(ref w, f.OnError);
        if (f.Chord is not { } c)
        {
            w.WriteNil();
            return;
        }
        w.WriteArrayHeader(5);
        w.Write(c.ChordId);
        w.Write(c.Index);
        w.Write(c.Count);
        WriteStep(ref w, c.Callback);
        WriteStep(ref w, c.OnError);
    });

    /// <exception cref="TaskPayloadException">The bytes are not a flow.</exception>
    public static TaskFlow Decode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var r = new MessagePackReader(bytes);
            int count = Primitives.ReadArrayHeader(ref r, "a flow");
            if (count < 3) throw new TaskPayloadException($"a flow has {count} fields; expected 3");
            var next = ReadStep(ref r, bytes);
            var onError = ReadStep(ref r, bytes);
            ChordMembership? chord = null;
            if (!r.TryReadNil())
            {
                int n = Primitives.ReadArrayHeader(ref r, "a chord");
                if (n < 5) throw new TaskPayloadException($"a chord has {n} fields; expected 5");
                string id = r.ReadString() ?? throw new TaskPayloadException("a chord has no id");
                int index = r.ReadInt32(), total = r.ReadInt32();
                if (total < 1 || index < 0 || index >= total) throw new TaskPayloadException($"chord member {index} of {total} is out of range");
                var callback = ReadStep(ref r, bytes) ?? throw new TaskPayloadException("a chord has no callback");
                var chordError = ReadStep(ref r, bytes);
                for (int i = 5; i < n; i++) r.Skip();
                chord = new ChordMembership(id, index, total, callback, chordError);
            }
            for (int i = 3; i < count; i++) r.Skip();
            return new TaskFlow(next, onError, chord);
        }
        catch (Exception e) when (Primitives.IsDecodeError(e))
        {
            throw new TaskPayloadException($"the message's flow does not decode: {e.Message}", e);
        }
    }

    private static void WriteStep(ref MessagePackWriter w, FlowStep? step)
    {
        if (step is null)
        {
            w.WriteNil();
            return;
        }
        w.WriteArrayHeader(4);
        w.Write(step.TakesInput);
        w.Write(step.Queue);
        w.Write(step.Priority);
        w.Write(step.Envelope.Span);
    }

    private static FlowStep? ReadStep(ref MessagePackReader r, ReadOnlyMemory<byte> bytes)
    {
        if (r.TryReadNil()) return null;
        int n = Primitives.ReadArrayHeader(ref r, "a flow step");
        if (n < 4) throw new TaskPayloadException($"a flow step has {n} fields; expected 4");
        bool takesInput = r.ReadBoolean();
        string queue = r.ReadString() is { Length: > 0 } q ? q : throw new TaskPayloadException("a flow step has no queue");
        int priority = r.ReadInt32();
        var seq = r.ReadBytes() ?? throw new TaskPayloadException("a flow step has no envelope");
        if (!seq.IsSingleSegment) throw new TaskPayloadException("a flow step's envelope is not contiguous");
        var envelope = bytes.Slice((int)(r.Consumed - seq.Length), (int)seq.Length);
        for (int i = 4; i < n; i++) r.Skip();
        return new FlowStep(takesInput, queue, priority, envelope);
    }

    /// <summary>
    /// The arguments <paramref name="rest"/> (a MessagePack array of the parameters after the first) with
    /// <paramref name="first"/> (one encoded value) put in front.
    /// </summary>
    /// <exception cref="TaskPayloadException"><paramref name="rest"/> is not a MessagePack array.</exception>
    public static byte[] WithFirstArgument(ReadOnlyMemory<byte> rest, ReadOnlySpan<byte> first)
    {
        var r = new MessagePackReader(rest);
        int count = Primitives.ReadArrayHeader(ref r, "arguments");
        int itemsAt = (int)r.Consumed;
        var buffer = PayloadBuffer.Rent();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(count + 1);
        w.WriteRaw(first);
        w.WriteRaw(rest.Span[itemsAt..]);
        w.Flush();
        return PayloadBuffer.ToArrayAndReturn(buffer);
    }

    /// <summary>One MessagePack array of encoded values.</summary>
    public static byte[] ArrayOf(IReadOnlyList<ReadOnlyMemory<byte>> values)
    {
        var buffer = PayloadBuffer.Rent();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(values.Count);
        foreach (var v in values) w.WriteRaw(v.Span);
        w.Flush();
        return PayloadBuffer.ToArrayAndReturn(buffer);
    }

    /// <summary>A <see cref="TaskError"/> as a task argument: <c>[type, message, stackTrace, taskName, retriesLeft]</c>.</summary>
    public static byte[] EncodeError(TaskError error) => PayloadBuffer.Encode(error, static (ref MessagePackWriter w, TaskError e) => TaskErrorCodec.Write(ref w, e));
}
