using TaskQueue.Messages;

namespace TaskQueue.Tests;

public sealed class ResultCodecTests
{
    [Fact]
    public void A_value_round_trips()
    {
        var stored = ResultCodec.Decode(ResultCodec.EncodeValue(new byte[] { 0x2a }));
        Assert.False(stored.IsError);
        Assert.Equal(new byte[] { 0x2a }, stored.Value.ToArray());
    }

    [Fact]
    public void An_error_round_trips()
    {
        var stored = ResultCodec.Decode(ResultCodec.EncodeError(new TaskError("System.Exception", "bad", "at X", "t")));
        Assert.True(stored.IsError);
        Assert.Equal(new TaskError("System.Exception", "bad", "at X", "t"), stored.Error);
    }

    [Fact]
    public void None_is_a_stored_nil()
    {
        var stored = ResultCodec.Decode(ResultCodec.None);
        Assert.False(stored.IsError);
        Assert.Equal(new byte[] { 0xc0 }, stored.Value.ToArray());
    }

    [Theory]
    [InlineData("9200", "cut short")]
    [InlineData("96 01 dbffffffff", "a string claiming 4 GB")]
    [InlineData("92 cfffffffffffffffff", "a kind past int")]
    public void A_malformed_stored_result_is_a_payload_error(string hex, string what)
    {
        var error = Record.Exception(() => ResultCodec.Decode(Convert.FromHexString(hex.Replace(" ", ""))));

        Assert.True(error is TaskPayloadException, $"{what}: {error}");
    }

    [Fact]
    public void A_garbage_result_fails_clearly()
        => Assert.Contains("stored result", Assert.Throws<TaskPayloadException>(() => ResultCodec.Decode(new byte[] { 0x01 })).Message);
}
