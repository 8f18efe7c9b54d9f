using System.Text.Json;

namespace TaskQueue.Operations;

/// <summary>A task a worker runs now, as its consumer describes it.</summary>
/// <param name="TaskId">The task instance's id.</param>
/// <param name="TaskName">The task's name.</param>
/// <param name="Queue">The queue it came from.</param>
/// <param name="StartedAt">When the worker started it.</param>
public sealed record RunningTask(string TaskId, string TaskName, string Queue, DateTimeOffset StartedAt);

/// <summary>
/// A consumer (one worker process, or one <see cref="Consumer.TaskConsumer"/> in a process) as it
/// describes itself with every heartbeat: who and where it is, what it serves, and the tasks it runs
/// now. One that stops removes it; one that dies disappears when its heartbeat would have lapsed.
/// </summary>
/// <param name="ConsumerId">The consumer's id (its in-flight records are kept under it).</param>
/// <param name="Name">Its name: the consumer id unless the worker was given one.</param>
/// <param name="Host">The machine it runs on.</param>
/// <param name="ProcessId">Its process id.</param>
/// <param name="Version">The version of the TaskQueue library it runs.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="Queues">The queues it takes from, in order.</param>
/// <param name="Workers">How many tasks it runs at once.</param>
/// <param name="Running">The tasks it runs now.</param>
/// <param name="SeenAt">When it last wrote this description.</param>
public sealed record ConsumerDescription(string ConsumerId, string Name, string Host, int ProcessId, string Version, DateTimeOffset StartedAt,
    IReadOnlyList<string> Queues, int Workers, IReadOnlyList<RunningTask> Running, DateTimeOffset SeenAt)
{
    /// <summary>The library's version as consumers report it.</summary>
    internal static readonly string LibraryVersion = typeof(ConsumerDescription).Assembly.GetName().Version?.ToString(3) ?? "?";

    /// <summary>Encodes the description as stored: a small JSON object.</summary>
    internal byte[] Encode()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", ConsumerId);
            w.WriteString("name", Name);
            w.WriteString("host", Host);
            w.WriteNumber("pid", ProcessId);
            w.WriteString("version", Version);
            w.WriteString("started", StartedAt);
            w.WriteStartArray("queues");
            foreach (var q in Queues) w.WriteStringValue(q);
            w.WriteEndArray();
            w.WriteNumber("workers", Workers);
            w.WriteStartArray("running");
            foreach (var r in Running)
            {
                w.WriteStartObject();
                w.WriteString("id", r.TaskId);
                w.WriteString("task", r.TaskName);
                w.WriteString("queue", r.Queue);
                w.WriteString("started", r.StartedAt);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("seen", SeenAt);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a stored description; null when it is not one (written by hand, or by a later version that changed it).</summary>
    internal static ConsumerDescription? TryDecode(string consumerId, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 8 });
            var o = document.RootElement;
            var running = new List<RunningTask>();
            foreach (var r in o.GetProperty("running").EnumerateArray())
            {
                running.Add(new RunningTask(r.GetProperty("id").GetString()!, r.GetProperty("task").GetString()!, r.GetProperty("queue").GetString()!,
                    r.GetProperty("started").GetDateTimeOffset()));
            }
            return new ConsumerDescription(consumerId, o.GetProperty("name").GetString()!, o.GetProperty("host").GetString()!, o.GetProperty("pid").GetInt32(),
                o.GetProperty("version").GetString()!, o.GetProperty("started").GetDateTimeOffset(),
                o.GetProperty("queues").EnumerateArray().Select(q => q.GetString()!).ToList(), o.GetProperty("workers").GetInt32(), running,
                o.GetProperty("seen").GetDateTimeOffset());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
