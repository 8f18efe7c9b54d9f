using MessagePack;
using TaskQueue.Messages;
using TaskQueue.Serialization;

namespace TaskQueue.Tests;

public sealed class MessageCodecTests
{
    private static readonly byte[] Args = PayloadBuffer.Encode(0, static (ref MessagePackWriter w, int _) =>
    {
        w.WriteArrayHeader(2);
        w.Write(1);
        w.Write("two");
    });

    [Fact]
    public void A_message_round_trips_with_every_field()
    {
        var message = new TaskMessage
        {
            Id = TaskId.New(),
            Name = "Beans.CountBeans",
            Arguments = Args,
            Retries = 3,
            RetryDelay = TimeSpan.FromSeconds(10),
            Eta = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_123),
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_456),
            UserData = "{\"a\":1}",
            RecurringId = "rt1",
            Exclusive = true,
        };
        var decoded = MessageCodec.Decode(MessageCodec.Encode(message));
        Assert.Equal(message.Id, decoded.Id);
        Assert.Equal(message.Name, decoded.Name);
        Assert.Equal(Args, decoded.Arguments.ToArray());
        Assert.Equal(3, decoded.Retries);
        Assert.Equal(TimeSpan.FromSeconds(10), decoded.RetryDelay);
        Assert.Equal(message.Eta, decoded.Eta);
        Assert.Equal(message.CreatedAt, decoded.CreatedAt);
        Assert.Equal("{\"a\":1}", decoded.UserData);
        Assert.Equal("rt1", decoded.RecurringId);
        Assert.True(decoded.Exclusive);
    }

    [Fact]
    public void A_generated_id_travels_as_16_bytes_and_a_custom_id_as_text()
    {
        var generated = new TaskMessage { Id = TaskId.New(), Name = "t", Arguments = Args };
        var custom = generated with { Id = "order-42" };
        Assert.Equal(generated.Id, MessageCodec.Decode(MessageCodec.Encode(generated)).Id);
        Assert.Equal("order-42", MessageCodec.Decode(MessageCodec.Encode(custom)).Id);
        Assert.True(MessageCodec.Encode(generated).Length < 2 + 18 + 2 + Args.Length + 1);
    }

    [Fact]
    public void A_plain_message_leaves_trailing_defaults_off()
    {
        var message = new TaskMessage { Id = TaskId.New(), Name = "n", Arguments = Args };
        var bytes = MessageCodec.Encode(message);
        var reader = new MessagePackReader(bytes);
        Assert.Equal(4, reader.ReadArrayHeader());
        Assert.Equal(0, MessageCodec.Decode(bytes).Retries);
        Assert.Null(MessageCodec.Decode(bytes).Eta);
    }

    [Fact]
    public void A_message_from_a_newer_writer_with_more_fields_still_reads()
    {
        var bytes = PayloadBuffer.Encode(0, static (ref MessagePackWriter w, int _) =>
        {
            w.WriteArrayHeader(15);
            w.Write(2);
            w.Write("abc");
            w.Write("t");
            w.WriteRaw(Args);
            w.Write(2);
            w.Write(5000L);
            w.WriteNil();
            w.WriteNil();
            w.WriteNil();
            w.WriteNil();
            w.Write(false);
            w.WriteNil();
            w.WriteNil();
            w.Write("a field from the future");
            w.Write(99);
        });
        var message = MessageCodec.Decode(bytes);
        Assert.Equal("abc", message.Id);
        Assert.Equal(2, message.Retries);
        Assert.Equal(TimeSpan.FromSeconds(5), message.RetryDelay);
    }

    [Fact]
    public void A_version_1_message_written_before_trace_context_still_reads()
    {
        // [1, id, name, args, retries, retryDelayMs, eta, createdAt, userdata, recurringId, exclusive]: the layout of version 1.
        var bytes = PayloadBuffer.Encode(0, static (ref MessagePackWriter w, int _) =>
        {
            w.WriteArrayHeader(11);
            w.Write(1);
            w.Write("old");
            w.Write("t");
            w.WriteRaw(Args);
            w.Write(1);
            w.Write(250L);
            w.WriteNil();
            w.Write(1_700_000_000_000L);
            w.Write("{\"farm\":\"north\"}");
            w.Write("rec-1");
            w.Write(true);
        });

        var message = MessageCodec.Decode(bytes);

        Assert.Equal("old", message.Id);
        Assert.Equal(1, message.Retries);
        Assert.Equal("rec-1", message.RecurringId);
        Assert.True(message.Exclusive);
        Assert.Null(message.TraceParent);
        Assert.Null(message.TraceState);
    }

    [Fact]
    public void A_w3c_traceparent_travels_as_25_bytes_and_reads_back_as_text()
    {
        const string parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var plain = new TaskMessage { Id = TaskId.New(), Name = "t", Arguments = Args };
        var traced = plain with { TraceParent = parent, TraceState = "vendor=1" };

        var bytes = MessageCodec.Encode(traced);
        var back = MessageCodec.Decode(bytes);

        Assert.Equal(parent, back.TraceParent);
        Assert.Equal("vendor=1", back.TraceState);
        // 27 bytes of traceparent (bin8 header + 25), 9 of tracestate, and the fields up to them at their defaults.
        Assert.Equal(MessageCodec.Encode(plain).Length + 7 + 27 + 9, bytes.Length);
    }

    [Fact]
    public void A_traceparent_that_is_not_w3c_version_00_travels_as_text()
    {
        var message = new TaskMessage { Id = TaskId.New(), Name = "t", Arguments = Args, TraceParent = "01-custom" };

        Assert.Equal("01-custom", MessageCodec.Decode(MessageCodec.Encode(message)).TraceParent);
    }

    [Theory]
    [InlineData(new byte[] { }, "does not decode")]
    [InlineData(new byte[] { 0x01 }, "not a MessagePack array")]
    [InlineData(new byte[] { 0x92, 0x01, 0x02 }, "has 2 fields")]
    [InlineData(new byte[] { 0x94, 0x07, 0xa1, 0x61, 0xa1, 0x62, 0x90 }, "version 7 is not supported")]
    [InlineData(new byte[] { 0x94, 0x01, 0xa1, 0x61 }, "does not decode")]
    public void Garbage_fails_with_a_clear_reason(byte[] bytes, string reason)
    {
        var e = Assert.Throws<TaskPayloadException>(() => MessageCodec.Decode(bytes));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void An_oversized_binary_id_is_rejected_not_stack_allocated()
    {
        var bytes = PayloadBuffer.Encode(0, static (ref MessagePackWriter w, int _) =>
        {
            w.WriteArrayHeader(4);
            w.Write(1);
            w.Write(new byte[1_000_000]);
            w.Write("t");
            w.WriteArrayHeader(0);
        });
        Assert.Contains("expected 1 to 64", Assert.Throws<TaskPayloadException>(() => MessageCodec.Decode(bytes)).Message);
    }

    [Theory]
    [InlineData(6, long.MaxValue)]   // eta far past year 9999
    [InlineData(6, long.MinValue)]
    [InlineData(7, 300_000_000_000_000L)] // created at, out of range
    [InlineData(5, long.MaxValue)]   // retry delay of 2^63 ms
    public void A_field_out_of_range_is_a_payload_error(int field, long value)
    {
        var bytes = PayloadBuffer.Encode((field, value), static (ref MessagePackWriter w, (int Field, long Value) bad) =>
        {
            w.WriteArrayHeader(8);
            w.Write(2);
            w.Write("abc");
            w.Write("t");
            w.WriteRaw(Args);
            w.Write(0);
            w.Write(bad.Field == 5 ? bad.Value : 0L);
            if (bad.Field == 6) w.Write(bad.Value); else w.WriteNil();
            if (bad.Field == 7) w.Write(bad.Value); else w.WriteNil();
        });

        var e = Assert.Throws<TaskPayloadException>(() => MessageCodec.Decode(bytes));

        Assert.StartsWith("the message does not decode", e.Message);
    }

    [Fact]
    public void Version_3_fields_round_trip_and_a_plain_message_stays_version_2()
    {
        var plain = new TaskMessage { Id = "abc", Name = "t", Arguments = Args };
        Assert.Equal(2, ReadVersion(MessageCodec.Encode(plain)));
        var flow = new byte[] { 0x91, 0x01 };
        var full = plain with
        {
            Expires = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000),
            Timeout = TimeSpan.FromSeconds(3),
            Backoff = new RetryBackoff(2, TimeSpan.FromMinutes(1), true),
            DeduplicationKey = "order-7",
            Flow = flow,
        };
        var bytes = MessageCodec.Encode(full);
        Assert.Equal(3, ReadVersion(bytes));
        var back = MessageCodec.Decode(bytes);
        Assert.Equal(full.Expires, back.Expires);
        Assert.Equal(TimeSpan.FromSeconds(3), back.Timeout);
        Assert.Equal(full.Backoff, back.Backoff);
        Assert.Equal("order-7", back.DeduplicationKey);
        Assert.Equal(flow, back.Flow.ToArray());
        Assert.Null(MessageCodec.Decode(MessageCodec.Encode(plain with { Timeout = TimeSpan.FromSeconds(1) })).Backoff);
    }

    [Fact]
    public void A_backoff_factor_out_of_range_is_a_bad_message()
    {
        var bytes = MessageCodec.Encode(new TaskMessage { Id = "abc", Name = "t", Arguments = Args, Backoff = new RetryBackoff(0.5) });
        var e = Assert.Throws<TaskPayloadException>(() => MessageCodec.Decode(bytes));
        Assert.Contains("backoff factor 0.5", e.Message);
    }

    private static int ReadVersion(byte[] bytes)
    {
        var r = new MessagePackReader(bytes);
        r.ReadArrayHeader();
        return r.ReadInt32();
    }
}
