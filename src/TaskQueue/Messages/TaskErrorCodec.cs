using MessagePack;
using TaskQueue.Serialization;

namespace TaskQueue.Messages;

/// <summary>A <see cref="TaskError"/> as a value: <c>[type, message, stackTrace, taskName, retriesLeft]</c>.</summary>
internal static class TaskErrorCodec
{
    public static void Write(ref MessagePackWriter w, TaskError e)
    {
        w.WriteArrayHeader(5);
        w.Write(e.Type);
        w.Write(e.Message);
        w.Write(e.StackTrace);
        w.Write(e.TaskName);
        w.Write(e.RetriesLeft);
    }

    public static TaskError Read(ref MessagePackReader r)
    {
        int count = Primitives.ReadArrayHeader(ref r, "an error");
        if (count < 4) throw new MessagePackSerializationException($"an error has {count} fields; expected 5");
        var error = new TaskError(r.ReadString() ?? "", r.ReadString() ?? "", r.ReadString(), r.ReadString())
        {
            RetriesLeft = count > 4 ? r.ReadInt32() : 0,
        };
        for (int i = 5; i < count; i++) r.Skip();
        return error;
    }
}
