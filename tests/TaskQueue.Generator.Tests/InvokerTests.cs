using MessagePack;
using TaskQueue.Generator.Tests.Tasks;
using TaskQueue.Serialization;

namespace TaskQueue.Generator.Tests;

/// <summary>
/// The generated invokers fed hand-written payloads: what old, new and malformed messages decode to.
/// </summary>
public sealed class InvokerTests
{
    private delegate void Write(ref MessagePackWriter writer);

    private static byte[] Payload(Write write) => PayloadBuffer.Encode(write, static (ref MessagePackWriter w, Write body) => body(ref w));

    private static ValueTask<byte[]?> Invoke(TaskDescriptor task, byte[] payload)
        => task.Invoker(payload, new TaskContext("test-id", task.Name, 0, TimeSpan.Zero), CancellationToken.None);

    private static int ReadInt(byte[]? bytes) => new MessagePackReader(bytes).ReadInt32();

    [Fact]
    public async Task A_missing_trailing_argument_takes_its_default()
    {
        var result = await Invoke(Add.Descriptor, Payload((ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(5); }));

        Assert.Equal(15, ReadInt(result));
    }

    [Fact]
    public async Task Extra_trailing_arguments_are_ignored()
    {
        var result = await Invoke(Add.Descriptor, Payload((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(2); w.Write("newer"); }));

        Assert.Equal(3, ReadInt(result));
    }

    [Fact]
    public async Task A_missing_argument_without_default_is_a_payload_error()
    {
        var error = await Assert.ThrowsAsync<TaskPayloadException>(
            async () => await Invoke(Add.Descriptor, Payload((ref MessagePackWriter w) => w.WriteArrayHeader(0))));

        Assert.Equal($"task '{Add.Name}': the payload has no value for argument 'a' (position 0) and the parameter has no default", error.Message);
    }

    [Fact]
    public async Task An_argument_of_the_wrong_type_names_the_parameter_and_type()
    {
        var error = await Assert.ThrowsAsync<TaskPayloadException>(
            async () => await Invoke(Add.Descriptor, Payload((ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write("five"); })));

        Assert.StartsWith($"task '{Add.Name}': argument 'a' does not decode as int:", error.Message);
    }

    [Fact]
    public async Task A_payload_that_is_not_an_array_is_a_payload_error()
    {
        var error = await Assert.ThrowsAsync<TaskPayloadException>(
            async () => await Invoke(Add.Descriptor, Payload((ref MessagePackWriter w) => w.Write(1))));

        Assert.StartsWith($"task '{Add.Name}': the arguments do not decode:", error.Message);
    }

    [Fact]
    public async Task Nil_for_a_non_nullable_string_is_rejected()
    {
        var error = await Assert.ThrowsAsync<TaskPayloadException>(
            async () => await Invoke(Echo.Descriptor, Payload((ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.WriteNil(); })));

        Assert.Contains("argument 'text' does not decode as string", error.Message);
    }

    [Fact]
    public async Task A_record_from_older_data_takes_defaults_and_newer_members_are_skipped()
    {
        var id = Guid.NewGuid();
        void Order(ref MessagePackWriter w, int members)
        {
            w.WriteArrayHeader(members);
            Primitives.WriteGuid(ref w, id);
            w.WriteArrayHeader(1); // a customer from before Email existed
            w.Write("Ada");
            w.WriteArrayHeader(1);
            w.WriteArrayHeader(3);
            w.Write("bean");
            w.Write(2);
            Primitives.WriteDecimal(ref w, 1.5m);
            Primitives.WriteDateTimeOffset(ref w, DateTimeOffset.UnixEpoch);
            if (members > 4) w.Write("note");
            if (members > 5) w.Write("a member from a newer build");
        }

        var old = await Invoke(Summarize.Descriptor, Payload((ref MessagePackWriter w) => { w.WriteArrayHeader(1); Order(ref w, 4); }));
        var newer = await Invoke(Summarize.Descriptor, Payload((ref MessagePackWriter w) => { w.WriteArrayHeader(1); Order(ref w, 6); }));

        Assert.Equal(new OrderSummary(id, 1, 3m, null), ReadSummary(old));
        Assert.Equal(new OrderSummary(id, 1, 3m, "note"), ReadSummary(newer));
    }

    [Fact]
    public async Task A_void_task_returns_no_bytes()
        => Assert.Null(await Invoke(Ping.Descriptor, Payload((ref MessagePackWriter w) => w.WriteArrayHeader(0))));

    private static OrderSummary ReadSummary(byte[]? bytes)
    {
        var reader = new MessagePackReader(bytes);
        Assert.Equal(4, reader.ReadArrayHeader());
        return new OrderSummary(Primitives.ReadGuid(ref reader), reader.ReadInt32(), Primitives.ReadDecimal(ref reader), reader.ReadString());
    }
}
