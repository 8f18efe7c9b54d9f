using System.Text;
using System.Text.Json;
using TaskQueue.Messages;
using TaskQueue.Serialization;

namespace TaskQueue.Tests;

/// <summary>
/// The bounds on rendered JSON: <see cref="CappedJsonOutput"/> cuts a document after its last whole value
/// and closes it, and <see cref="JsonPrimitives"/> keeps single values short and writable.
/// </summary>
public sealed class CappedJsonOutputTests
{
    private const string Document = """{"a":[1,22,{"b":"xyz","c":null}],"d":"é","e":{"f":[true,false,[]]},"g":-1.5e3}""";

    /// <summary>Writes <see cref="Document"/> token by token, as a renderer would, into an output of <paramref name="limit"/> bytes.</summary>
    private static string WriteCapped(int limit, string document = Document)
    {
        var output = new CappedJsonOutput(limit);
        try
        {
            using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            using var parsed = JsonDocument.Parse(document);
            parsed.WriteTo(writer);
        }
        catch (CappedJsonOutput.FullException)
        {
        }
        return output.Full ? output.CutJson() : Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Theory]
    [InlineData(1, """{"$truncated":true}""")]
    [InlineData(5, """{"$truncated":true}""")]
    [InlineData(7, """{"a":[],"$truncated":true}""")]
    [InlineData(8, """{"a":[1],"$truncated":true}""")]
    [InlineData(18, """{"a":[1,22,{}],"$truncated":true}""")]
    [InlineData(21, """{"a":[1,22,{"b":"xyz"}],"$truncated":true}""")]
    [InlineData(22, """{"a":[1,22,{"b":"xyz"}],"$truncated":true}""")]
    public void A_cut_keeps_whole_values_closes_what_is_open_and_marks_the_outermost_object(int limit, string expected)
        => Assert.Equal(expected, WriteCapped(limit));

    [Fact]
    public void A_cut_array_gets_the_mark_as_its_last_element()
        => Assert.Equal("""[1,2,"$truncated"]""", WriteCapped(5, "[1,2,3]"));

    [Fact]
    public void Every_cut_is_valid_json_no_longer_than_the_limit_and_its_closing()
    {
        int length = Encoding.UTF8.GetByteCount(Document);
        for (int limit = 1; limit <= length + 1; limit++)
        {
            string json = WriteCapped(limit);

            using var cut = JsonDocument.Parse(json);
            if (limit >= length)
            {
                Assert.Equal(Document, json);
                continue;
            }
            Assert.True(cut.RootElement.GetProperty("$truncated").GetBoolean());
            Assert.InRange(Encoding.UTF8.GetByteCount(json), 1, limit + 4 + ""","$truncated":true}""".Length);
        }
    }

    [Fact]
    public void Strings_are_cut_whole_surrogate_pairs_and_all()
    {
        string text = new string('a', JsonPrimitives.MaxStringLength - 1) + "😀" + new string('b', 10);

        Assert.Equal($"\"{new string('a', JsonPrimitives.MaxStringLength - 1)}…\"", Written(w => JsonPrimitives.WriteString(w, text)));
        Assert.Equal("null", Written(w => JsonPrimitives.WriteString(w, null)));
        Assert.Equal("{\"" + new string('k', JsonPrimitives.MaxStringLength) + "…\":1}", Written(w =>
        {
            w.WriteStartObject();
            JsonPrimitives.WritePropertyName(w, new string('k', 20_000));
            w.WriteNumberValue(1);
            w.WriteEndObject();
        }));
    }

    [Fact]
    public void Values_that_json_cannot_say_are_written_as_text()
    {
        Assert.Equal("\"U+D800\"", Written(w => JsonPrimitives.WriteChar(w, '\uD800')));
        Assert.Equal("\"é\"", Written(w => JsonPrimitives.WriteChar(w, 'é')));
        Assert.Equal("\"Infinity\"", Written(w => JsonPrimitives.WriteNumber(w, float.PositiveInfinity)));
        Assert.Equal("\"NaN\"", Written(w => JsonPrimitives.WriteNumber(w, double.NaN)));
        Assert.Equal("0.1", Written(w => JsonPrimitives.WriteNumber(w, 0.1f)));
        Assert.Equal("\"10675199.02:48:05.4775807\"", Written(w => JsonPrimitives.WriteTimeSpan(w, TimeSpan.MaxValue)));
        Assert.Equal("null", Written(w => JsonPrimitives.WriteBytes(w, (byte[]?)null)));
        Assert.Equal("\"Blue\"", Written(w => JsonPrimitives.WriteEnum(w, "Blue", 2L)));
        Assert.Equal("18446744073709551615", Written(w => JsonPrimitives.WriteEnum(w, null, ulong.MaxValue)));
    }

    private static string Written(Action<Utf8JsonWriter> write)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
