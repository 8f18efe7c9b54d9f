using System.Text;
using System.Text.Json;
using MessagePack;
using TaskQueue.Execution;
using TaskQueue.Messages;
using TaskQueue.Scheduling;
using TaskQueue.Serialization;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;

namespace TaskQueue.Tests;

/// <summary>
/// <see cref="TaskDescriptor.RenderArguments"/> around the renderer: the typeless rendering of arguments no
/// renderer reads, the fallbacks for renderers that fail, and the bounds on what comes out.
/// </summary>
public sealed class ArgumentsJsonTests
{
    /// <summary>A descriptor made by hand, without a renderer, as a task from an older generator.</summary>
    private static readonly TaskDescriptor HandMade = new("tests.hand-made", null, 0, TimeSpan.Zero, Zero.Descriptor.Invoker);

    private delegate void Write(ref MessagePackWriter writer);

    private static byte[] Payload(Write write) => PayloadBuffer.Encode(write, static (ref MessagePackWriter w, Write body) => body(ref w));

    private static TaskDescriptor WithRenderer(ArgumentsRenderer renderer) => new("tests.rendered", null, 0, TimeSpan.Zero, Zero.Descriptor.Invoker)
    {
        ArgumentsRenderer = renderer,
    };

    private static JsonDocument Parse(string json) => JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1024 });

    [Fact]
    public void Without_a_renderer_every_messagepack_type_renders_without_names()
    {
        var arguments = Payload((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(11);
            w.WriteNil();
            w.Write(true);
            w.Write(-5);
            w.Write(ulong.MaxValue);
            w.Write(1.5f);
            w.Write(double.NaN);
            w.Write("héllo \"you\"");
            w.Write(new byte[] { 1, 2, 3 });
            w.Write(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc));
            w.WriteExtensionFormat(new ExtensionResult(5, new byte[] { 9 }));
            w.WriteMapHeader(6);
            w.Write("key");
            w.Write(1);
            w.Write(2);
            w.Write("two");
            w.Write(false);
            w.WriteNil();
            w.WriteNil();
            w.Write(0);
            w.WriteArrayHeader(1);
            w.Write(1);
            w.Write("an array as a key");
            w.Write(2.5);
            w.WriteArrayHeader(0);
        });

        Assert.Equal(
            """
            {"$arguments":[null,true,-5,18446744073709551615,1.5,"NaN","héllo \"you\"","AQID","2024-05-06T07:08:09Z",
            {"$extension":5,"$base64":"CQ=="},{"key":1,"2":"two","false":null,"null":0,"$array":"an array as a key","2.5":[]}]}
            """.ReplaceLineEndings(""),
            HandMade.RenderArguments(arguments));
    }

    [Fact]
    public void The_catalog_renders_a_task_it_knows_by_name_and_others_without()
    {
        var arguments = Payload((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(1); w.Write(2); });
        var catalog = TaskCatalog.Create([Add.Descriptor]);

        Assert.Equal("""{"a":1,"b":2}""", catalog.RenderArguments(new TaskMessage { Id = "1", Name = Add.Name, Arguments = arguments }));
        Assert.Equal("""{"$arguments":[1,2]}""", catalog.RenderArguments(new TaskMessage { Id = "2", Name = "tests.gone", Arguments = arguments }));
    }

    [Fact]
    public void Services_and_the_context_do_not_show()
    {
        var arguments = Payload((ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write("Ada"); });

        Assert.Equal("""{"name":"Ada"}""", Welcome.Descriptor.RenderArguments(arguments));
    }

    [Fact]
    public async Task Dead_letters_of_unknown_tasks_and_of_bad_arguments_stay_readable()
    {
        var app = TestApps.Memory();
        var executor = new TaskExecutor(app);
        var unknown = Payload((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write("north"); w.Write(1000); });
        var wrong = Payload((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write("two"); w.Write(3); });

        string Rendered(Completion letter) => app.Tasks.RenderArguments(MessageCodec.Decode(letter.Message.Body));

        var gone = await executor.ExecuteAsync(Taken("Gone.Renamed.Task", unknown), false, default);
        var bad = await executor.ExecuteAsync(Taken(Add.Name, wrong), false, default);

        Assert.Equal(CompletionKind.DeadLetter, gone.Kind);
        Assert.Equal("""{"$arguments":["north",1000]}""", Rendered(gone));
        Assert.Equal(CompletionKind.DeadLetter, bad.Kind);
        using var document = Parse(Rendered(bad));
        Assert.StartsWith($"task '{Add.Name}': argument 'a' does not decode as int", document.RootElement.GetProperty("$error").GetString());
        Assert.Equal("""["two",3]""", document.RootElement.GetProperty("$arguments").GetRawText());
    }

    private static TakenMessage Taken(string name, byte[] arguments)
        => new("default", MessageCodec.Encode(new TaskMessage { Id = TaskId.New(), Name = name, Arguments = arguments }), "1", 0);

    [Fact]
    public void A_renderer_that_throws_anything_falls_back_with_its_message_cut()
    {
        var task = WithRenderer((_, _) => throw new InvalidOperationException(new string('e', 5_000)));
        var arguments = Payload((ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(7); });

        using var document = Parse(task.RenderArguments(arguments));

        var error = document.RootElement.GetProperty("$error").GetString()!;
        Assert.StartsWith(new string('e', 200) + "… (5,000 characters)", error);
        Assert.Equal("[7]", document.RootElement.GetProperty("$arguments").GetRawText());
    }

    [Theory]
    [InlineData("nothing")]
    [InlineData("an open object")]
    public void A_renderer_that_writes_no_whole_value_falls_back(string what)
    {
        var task = WithRenderer((_, writer) =>
        {
            if (what == "an open object") writer.WriteStartObject();
        });
        var arguments = Payload((ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(7); });

        Assert.Equal("""{"$error":"the renderer did not write a whole JSON value","$arguments":[7]}""", task.RenderArguments(arguments));
    }

    [Theory]
    [InlineData(new byte[] { 0x05 }, "the arguments are not a MessagePack array but a value of type Integer", "BQ==")]
    [InlineData(new byte[] { 0xc1 }, "the arguments are not a MessagePack array but the code 0xc1", "wQ==")]
    [InlineData(new byte[] { 0x91, 0xc1 }, "0xc1 is no MessagePack value", "kcE=")]
    [InlineData(new byte[] { 0x92, 0x01 }, null, "kgE=")]
    public void Bytes_that_are_no_messagepack_array_render_as_the_error_and_base64(byte[] arguments, string? error, string base64)
    {
        using var document = Parse(HandMade.RenderArguments(arguments));

        Assert.Equal(["$error", "$length", "$base64"], document.RootElement.EnumerateObject().Select(p => p.Name));
        if (error is not null) Assert.Equal(error, document.RootElement.GetProperty("$error").GetString());
        Assert.Equal(arguments.Length, document.RootElement.GetProperty("$length").GetInt32());
        Assert.Equal(base64, document.RootElement.GetProperty("$base64").GetString());
    }

    [Fact]
    public void A_megabyte_of_junk_shows_its_first_bytes_only()
    {
        var junk = new byte[1024 * 1024];
        junk.AsSpan().Fill(0xc1);

        string json = HandMade.RenderArguments(junk);

        using var document = Parse(json);
        Assert.Equal(junk.Length, document.RootElement.GetProperty("$length").GetInt32());
        var base64 = document.RootElement.GetProperty("$base64").GetString()!;
        Assert.Equal(16 * 1024 + 1, base64.Length);
        Assert.EndsWith("…", base64);
        Assert.InRange(json.Length, 16 * 1024, 17 * 1024);
    }

    [Fact]
    public void A_huge_typeless_array_is_cut_and_marked()
    {
        var arguments = Payload((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteArrayHeader(100_000);
            for (int i = 0; i < 100_000; i++) w.Write(i);
        });

        string json = HandMade.RenderArguments(arguments);

        Assert.InRange(Encoding.UTF8.GetByteCount(json), 60 * 1024, 64 * 1024 + 32);
        Assert.EndsWith("]],\"$truncated\":true}", json);
        using var document = Parse(json);
        var numbers = document.RootElement.GetProperty("$arguments")[0].EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(0, numbers.Count), numbers);
    }

    [Fact]
    public void Typeless_maps_nested_past_the_limit_end_in_a_mark()
    {
        // [{"a":{"a":{...}}}] 10,000 maps deep.
        const int depth = 10_000;
        var arguments = new List<byte> { 0x91 };
        for (int i = 0; i < depth; i++) arguments.AddRange([0x81, 0xa1, (byte)'a']);
        arguments.Add(0xc0);

        using var document = Parse(HandMade.RenderArguments(arguments.ToArray()));

        var node = document.RootElement.GetProperty("$arguments")[0];
        int levels = 0;
        while (node.ValueKind == JsonValueKind.Object)
        {
            node = node.GetProperty("a");
            levels++;
        }
        Assert.Equal(Primitives.MaxDepth, levels);
        Assert.Equal(MessagePackJson.TooDeep, node.GetString());
    }

    [Fact]
    public void A_renderer_that_swallows_the_stop_is_cut_all_the_same()
    {
        var task = WithRenderer((_, writer) =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("items");
            writer.WriteStartArray();
            for (int i = 0; i < 100_000; i++)
            {
                try
                {
                    writer.WriteStringValue("item " + i);
                }
                catch (Exception)
                {
                    // A careless renderer: it goes on after the output refused more.
                }
            }
        });

        string json = task.RenderArguments(new byte[] { 0x90 });

        Assert.EndsWith("],\"$truncated\":true}", json);
        using var document = Parse(json);
        Assert.True(document.RootElement.GetProperty("items").GetArrayLength() > 1000);
    }

    [Fact]
    public void A_periodic_copy_keeps_the_renderer()
    {
        var catalog = TaskCatalog.Create([Zero.Descriptor]).WithPeriodic(Zero.Descriptor, new Crontab(minute: "0"));

        Assert.True(catalog.TryGet(Zero.Name, out var periodic));
        Assert.NotNull(periodic.Periodic);
        Assert.Same(Zero.Descriptor.ArgumentsRenderer, periodic.ArgumentsRenderer);
        Assert.Equal("{}", periodic.RenderArguments(new byte[] { 0x90 }));
    }
}
