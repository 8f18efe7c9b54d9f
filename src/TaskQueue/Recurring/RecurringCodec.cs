using System.Text.Json.Nodes;
using MessagePack;
using TaskQueue.Messages;
using TaskQueue.Serialization;
using TaskQueue.Storage;

namespace TaskQueue;

/// <summary>A recurring-task record as stored, decoded (label, next run and version live beside it in storage).</summary>
internal sealed record RecurringState(
    string TaskName, ReadOnlyMemory<byte> Arguments, string Schedule, string TimeZone, bool Enabled,
    DateTimeOffset? StartRunning, DateTimeOffset? EndRunning, bool WaitForSchedule, int Iterations, bool AllowOverlap,
    string? UserDataJson, DateTimeOffset? CreatedAt, DateTimeOffset? ModifiedAt, DateTimeOffset? LastRun, int RunCount)
{
    public bool IsSpent => Iterations > 0 && RunCount >= Iterations;
}

/// <summary>
/// Encodes recurring-task records: a MessagePack array <c>[1, task, arguments, schedule, timeZone,
/// enabled, start, end, waitForSchedule, iterations, allowOverlap, userdata, created, modified,
/// lastRun, runCount]</c>, times as Unix milliseconds or nil, userdata as JSON text.
/// </summary>
internal static class RecurringCodec
{
    private const int Version = 1;
    private const int Fields = 16;

    public static byte[] Encode(RecurringTask r)
        => Encode(new RecurringState(r.TaskName, r.Arguments, r.Schedule, r.TimeZone, r.Enabled, r.StartRunning, r.EndRunning, r.WaitForSchedule,
            r.Iterations, r.AllowOverlap, r.UserData.Count == 0 ? null : r.UserData.ToJsonString(), r.CreatedAt, r.ModifiedAt, r.LastRun, r.RunCount));

    public static byte[] Encode(RecurringState s) => PayloadBuffer.Encode(s, Write);

    private static void Write(ref MessagePackWriter w, RecurringState s)
    {
        w.WriteArrayHeader(Fields);
        w.Write(Version);
        w.Write(s.TaskName);
        if (s.Arguments.IsEmpty) w.WriteArrayHeader(0);
        else w.WriteRaw(s.Arguments.Span);
        w.Write(s.Schedule);
        w.Write(s.TimeZone);
        w.Write(s.Enabled);
        MessageCodec.WriteTime(ref w, s.StartRunning);
        MessageCodec.WriteTime(ref w, s.EndRunning);
        w.Write(s.WaitForSchedule);
        w.Write(s.Iterations);
        w.Write(s.AllowOverlap);
        MessageCodec.WriteText(ref w, s.UserDataJson);
        MessageCodec.WriteTime(ref w, s.CreatedAt);
        MessageCodec.WriteTime(ref w, s.ModifiedAt);
        MessageCodec.WriteTime(ref w, s.LastRun);
        w.Write(s.RunCount);
    }

    /// <exception cref="TaskPayloadException">The bytes are not a record this build reads.</exception>
    public static RecurringState Decode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var r = new MessagePackReader(bytes);
            int count = r.ReadArrayHeader();
            if (count < Fields) throw new TaskPayloadException($"the recurring-task record has {count} fields; expected {Fields}");
            int version = r.ReadInt32();
            if (version != Version) throw new TaskPayloadException($"recurring-task record version {version} is not supported (this build reads version {Version})");
            string task = r.ReadString() ?? throw new TaskPayloadException("the recurring-task record has no task name");
            long argsStart = r.Consumed;
            r.Skip();
            var arguments = bytes.Slice((int)argsStart, (int)(r.Consumed - argsStart));
            var state = new RecurringState(task, arguments, r.ReadString() ?? "", r.ReadString() ?? "UTC", r.ReadBoolean(), MessageCodec.ReadTime(ref r), MessageCodec.ReadTime(ref r),
                r.ReadBoolean(), r.ReadInt32(), r.ReadBoolean(), MessageCodec.ReadText(ref r), MessageCodec.ReadTime(ref r), MessageCodec.ReadTime(ref r), MessageCodec.ReadTime(ref r), r.ReadInt32());
            return state;
        }
        catch (Exception e) when (Primitives.IsDecodeError(e))
        {
            throw new TaskPayloadException($"the recurring-task record does not decode: {e.Message}", e);
        }
    }

    public static RecurringTask Load(RecurringTasks owner, RecurringEntry entry)
    {
        var s = Decode(entry.Body);
        var record = new RecurringTask(owner, entry.Id, s.TaskName, s.Arguments.ToArray(), entry.Label, RecurringTasks.EverySecond, null);
        Apply(entry, record, s);
        return record;
    }

    public static void Apply(RecurringEntry entry, RecurringTask record) => Apply(entry, record, Decode(entry.Body));

    private static void Apply(RecurringEntry entry, RecurringTask record, RecurringState s)
    {
        record.SetStoredFields(entry.Label, s.Schedule, s.TimeZone, s.Iterations, ParseUserData(s.UserDataJson));
        record.Enabled = s.Enabled;
        record.StartRunning = s.StartRunning;
        record.EndRunning = s.EndRunning;
        record.WaitForSchedule = s.WaitForSchedule;
        record.AllowOverlap = s.AllowOverlap;
        record.CreatedAt = s.CreatedAt;
        record.ModifiedAt = s.ModifiedAt;
        record.LastRun = s.LastRun;
        record.RunCount = s.RunCount;
        record.NextRun = entry.NextRun;
        record.Running = entry.Running;
        record.Busy = entry.Busy;
        record.Version = entry.Version;
    }

    public static JsonObject ParseUserData(string? json)
        => string.IsNullOrEmpty(json) ? [] : JsonNode.Parse(json) as JsonObject ?? [];
}
