using System.Text.Json;
using TaskQueue.Generator.Tests.Tasks;
using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue.Generator.Tests;

/// <summary>
/// The test assembly's own tasks rendered by their generated <c>RenderArguments</c>: real messages, as the
/// stubs enqueue them, read back as JSON with parameter and member names.
/// </summary>
public sealed class ArgumentRenderingTests
{
    private static readonly Guid SomeId = new("6f9619ff-8b86-d011-b42d-00cf4fc964ff");

    /// <summary>The arguments of the one message that <paramref name="enqueue"/> puts on the queue of <paramref name="task"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>> ArgumentsOf(TaskDescriptor task, Action<TaskApp> enqueue)
    {
        await using var app = new TaskApp(new MemoryStorage());
        enqueue(app);
        var pending = await app.PendingAsync(task.Queue);
        return Assert.Single(pending).Arguments;
    }

    private static async Task<string> Render(TaskDescriptor task, Action<TaskApp> enqueue) => task.RenderArguments(await ArgumentsOf(task, enqueue));

    [Fact]
    public async Task Every_scalar_kind_renders_as_plain_json()
    {
        var json = await Render(ScalarArguments.Descriptor, app => ScalarArguments.With(app).Enqueue(
            Color.Blue, Priority.Low, 42, "note \"quoted\"", SomeId, new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(-330)),
            new DateTime(2021, 6, 7, 8, 9, 10, DateTimeKind.Utc), TimeSpan.FromMilliseconds(1234.5), 79228162514264337593543950335m, 'é',
            true, 1.25f, Math.PI, sbyte.MinValue, short.MinValue, ushort.MaxValue, uint.MaxValue, long.MinValue, ulong.MaxValue, 200));

        Assert.Equal(
            """
            {"color":"Blue","urgency":"Low","limit":42,"note":"note \"quoted\"","id":"6f9619ff-8b86-d011-b42d-00cf4fc964ff",
            "when":"2020-01-02T03:04:05-05:30","at":"2021-06-07T08:09:10Z","span":"00:00:01.2345000","amount":79228162514264337593543950335,
            "letter":"é","flag":true,"ratio":1.25,"precise":3.141592653589793,"tiny":-128,"small":-32768,"port":65535,"big":4294967295,
            "long":-9223372036854775808,"huge":18446744073709551615,"byte":200}
            """.ReplaceLineEndings(""),
            json);
    }

    [Fact]
    public async Task Nulls_render_as_null_and_values_without_a_member_name_as_numbers()
    {
        var json = await Render(ScalarArguments.Descriptor, app => ScalarArguments.With(app).Enqueue(
            (Color)7, null, null, null, null, default, new DateTime(2021, 6, 7, 8, 9, 10, DateTimeKind.Unspecified), TimeSpan.FromDays(-1.5),
            0.10m, 'x', false, float.NaN, double.NegativeInfinity, 0, 0, 0, 0, 0, 0, 0));

        Assert.Equal(
            """
            {"color":7,"urgency":null,"limit":null,"note":null,"id":null,"when":"0001-01-01T00:00:00+00:00","at":"2021-06-07T08:09:10",
            "span":"-1.12:00:00","amount":0.10,"letter":"x","flag":false,"ratio":"NaN","precise":"-Infinity","tiny":0,"small":0,"port":0,
            "big":0,"long":0,"huge":0,"byte":0}
            """.ReplaceLineEndings(""),
            json);
    }

    [Fact]
    public async Task Enums_render_as_the_first_member_with_the_value_else_as_numbers()
    {
        var json = await Render(Grant.Descriptor, app => Grant.With(app).Enqueue(
            Access.Read | Access.Write, Wide.@class, (Nothing)3, [Access.None, (Access)4, Access.All]));
        var wide = await Render(Grant.Descriptor, app => Grant.With(app).Enqueue(Access.Read, Wide.Max | Wide.Small, default, []));

        Assert.Equal("""{"access":"Both","wide":"class","nothing":3,"history":["None",4,"Both"]}""", json);
        Assert.Equal("""{"access":"Read","wide":"Max","nothing":0,"history":[]}""", wide);
    }

    [Fact]
    public async Task Records_render_as_objects_with_their_member_names()
    {
        var order = new Order(SomeId, new Customer("Ada", null), [new Line("bean", 3, 1.25m), new Line("pod", 1, 10m)],
            new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2))) { Note = "fragile" };

        var json = await Render(Summarize.Descriptor, app => Summarize.With(app).Enqueue(order));

        Assert.Equal(
            """
            {"order":{"Id":"6f9619ff-8b86-d011-b42d-00cf4fc964ff","Customer":{"Name":"Ada","Email":null},
            "Lines":[{"Sku":"bean","Quantity":3,"Price":1.25},{"Sku":"pod","Quantity":1,"Price":10}],
            "PlacedAt":"2024-05-06T07:08:09+02:00","Note":"fragile"}}
            """.ReplaceLineEndings(""),
            json);
    }

    [Fact]
    public async Task Classes_with_settable_members_and_nullable_structs_render_as_objects()
    {
        var given = await Render(Configure.Descriptor, app => Configure.With(app).Enqueue(new Settings { Region = "eu", Limit = 3 }, new Point(4, 0)));
        var none = await Render(Configure.Descriptor, app => Configure.With(app).Enqueue(new Settings { Region = "us" }, null));

        // Doubled is computed from Limit and does not travel, so it does not show.
        Assert.Equal("""{"settings":{"Region":"eu","Limit":3},"origin":{"X":4,"Y":0}}""", given);
        Assert.Equal("""{"settings":{"Region":"us","Limit":10},"origin":null}""", none);
    }

    [Fact]
    public async Task Every_collection_shape_renders_as_arrays_and_objects()
    {
        var json = await Render(Collections.Descriptor, app => Collections.With(app).Enqueue(
            [1, 2], ["a", "b"], [1.5], Enumerable.Range(7, 2).Select(i => (long)i), ['a'], [(short)-3], [SomeId],
            new Dictionary<string, Point> { ["p"] = new Point(1, 2), ["with \"quote\""] = new Point(3, 4) }));

        Assert.Equal(
            """
            {"numbers":[1,2],"names":["a","b"],"values":[1.5],"longs":[7,8],"letters":["a"],"shorts":[-3],
            "ids":["6f9619ff-8b86-d011-b42d-00cf4fc964ff"],"points":{"p":{"X":1,"Y":2},"with \"quote\"":{"X":3,"Y":4}}}
            """.ReplaceLineEndings(""),
            json);
    }

    [Fact]
    public async Task Jagged_arrays_bytes_dictionaries_of_lists_and_null_elements_render_inside_a_record()
    {
        var bag = new Bag([1], [], [0.5], new() { ["one"] = 1 }, new Dictionary<string, List<int>> { ["g"] = [4, 5] },
            [[1], [2, 3], []], [0, 255, 7], ["a", null]);

        var json = await Render(EchoBag.Descriptor, app => EchoBag.With(app).Enqueue(bag));

        Assert.Equal(
            """
            {"bag":{"Numbers":[1],"Names":[],"Values":[0.5],"Counts":{"one":1},"Groups":{"g":[4,5]},"Jagged":[[1],[2,3],[]],
            "Blob":"AP8H","Maybe":["a",null]}}
            """.ReplaceLineEndings(""),
            json);
    }

    [Fact]
    public async Task A_recursive_record_renders_nested()
    {
        var tree = new TreeNode("root", [new TreeNode("a", [new TreeNode("a1", [])]), new TreeNode("b", [])]);

        var json = await Render(CountNodes.Descriptor, app => CountNodes.With(app).Enqueue(tree));

        Assert.Equal(
            """{"root":{"Name":"root","Children":[{"Name":"a","Children":[{"Name":"a1","Children":[]}]},{"Name":"b","Children":[]}]}}""",
            json);
    }

    [Fact]
    public async Task Context_and_cancellation_parameters_do_not_show_and_a_task_without_arguments_is_an_empty_object()
    {
        Assert.Equal("""{"value":5}""", await Render(Describe.Descriptor, app => Describe.With(app).Enqueue(5)));
        Assert.Equal("{}", await Render(Ping.Descriptor, app => Ping.With(app).Enqueue()));
    }

    [Fact]
    public void A_missing_trailing_argument_shows_its_default_and_an_extra_one_does_not_show()
    {
        Assert.Equal("""{"a":5,"b":10}""", Add.Descriptor.RenderArguments(new byte[] { 0x91, 0x05 }));
        Assert.Equal("""{"a":1,"b":2}""", Add.Descriptor.RenderArguments(new byte[] { 0x93, 0x01, 0x02, 0xa3, (byte)'n', (byte)'e', (byte)'w' }));
    }

    [Fact]
    public void Arguments_that_do_not_fit_the_task_render_without_names_under_the_decoders_error()
    {
        // ["five"] for Add(int a, int b = 10)
        var json = Add.Descriptor.RenderArguments(new byte[] { 0x91, 0xa4, (byte)'f', (byte)'i', (byte)'v', (byte)'e' });

        using var document = JsonDocument.Parse(json);
        var error = document.RootElement.GetProperty("$error").GetString();
        Assert.StartsWith($"task '{Add.Name}': argument 'a' does not decode as int: ", error);
        Assert.Equal("""["five"]""", document.RootElement.GetProperty("$arguments").GetRawText());
    }

    [Fact]
    public void Bytes_that_are_no_messagepack_render_as_the_error_and_base64()
    {
        var json = Add.Descriptor.RenderArguments(new byte[] { 0x92, 0x01 });

        using var document = JsonDocument.Parse(json);
        Assert.Equal(["$error", "$length", "$base64"], document.RootElement.EnumerateObject().Select(p => p.Name));
        // The header claims two elements where one byte is left.
        Assert.StartsWith($"task '{Add.Name}': the arguments do not decode: ", document.RootElement.GetProperty("$error").GetString());
        Assert.Equal(2, document.RootElement.GetProperty("$length").GetInt32());
        Assert.Equal("kgE=", document.RootElement.GetProperty("$base64").GetString());
    }

    [Fact]
    public void No_bytes_at_all_render_as_the_error()
    {
        var json = Add.Descriptor.RenderArguments(ReadOnlyMemory<byte>.Empty);

        using var document = JsonDocument.Parse(json);
        Assert.StartsWith($"task '{Add.Name}': the arguments do not decode", document.RootElement.GetProperty("$error").GetString());
        Assert.Equal(0, document.RootElement.GetProperty("$length").GetInt32());
        Assert.Equal("", document.RootElement.GetProperty("$base64").GetString());
    }

    [Fact]
    public async Task Messages_of_a_task_the_catalog_does_not_know_render_without_names()
    {
        var arguments = await ArgumentsOf(Add.Descriptor, app => Add.With(app).Enqueue(1, 2));
        var message = new TaskMessage { Id = TaskId.New(), Name = "no.such.task", Arguments = arguments };

        Assert.Equal("""{"$arguments":[1,2]}""", TaskCatalog.Registered.RenderArguments(message));
        Assert.Equal("""{"a":1,"b":2}""", TaskCatalog.Registered.RenderArguments(message with { Name = Add.Name }));
    }

    [Fact]
    public async Task A_long_string_is_cut_and_marked()
    {
        var json = await Render(Echo.Descriptor, app => Echo.With(app).Enqueue(new string('x', 1_000_000)));

        Assert.Equal($$"""{"text":"{{new string('x', 16 * 1024)}}…"}""", json);
    }

    [Fact]
    public async Task Json_over_64_KiB_is_cut_after_a_whole_value_closed_and_marked()
    {
        var names = Enumerable.Range(0, 10_000).Select(i => $"name number {i:D5}").ToList();

        var json = await Render(CountNames.Descriptor, app => CountNames.With(app).Enqueue(names));

        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(json), 60 * 1024, 64 * 1024 + 32);
        Assert.EndsWith("\"],\"$truncated\":true}", json);
        using var document = JsonDocument.Parse(json);
        var shown = document.RootElement.GetProperty("names").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(names.Take(shown.Count), shown);
    }

    [Fact]
    public void A_chain_deeper_than_the_decoders_allow_renders_500_levels_and_a_mark()
    {
        // [[[...[nil, 0]..., 0], 0]] 100,000 levels deep, for ChainLength(LinkedNode head).
        const int depth = 100_000;
        var arguments = new byte[2 * depth + 2];
        arguments[0] = 0x91;
        arguments.AsSpan(1, depth).Fill(0x92);
        arguments[depth + 1] = 0xc0;

        var json = ChainLength.Descriptor.RenderArguments(arguments);

        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1024 });
        Assert.Contains("nested more than 500 levels deep", document.RootElement.GetProperty("$error").GetString());
        var node = document.RootElement.GetProperty("$arguments");
        int levels = 0;
        while (node.ValueKind == JsonValueKind.Array)
        {
            node = node[0];
            levels++;
        }
        // The arguments array and 500 levels of nodes in it; the rest is one mark.
        Assert.Equal(501, levels);
        Assert.Equal("$nested too deep", node.GetString());
    }

    [Fact]
    public void A_chain_as_deep_as_the_decoders_allow_renders_with_names()
    {
        // As above, 500 levels, each node's Value 7.
        const int depth = 500;
        var arguments = new byte[2 * depth + 2];
        arguments[0] = 0x91;
        arguments.AsSpan(1, depth).Fill(0x92);
        arguments[depth + 1] = 0xc0;
        arguments.AsSpan(depth + 2).Fill(0x07);

        var json = ChainLength.Descriptor.RenderArguments(arguments);

        Assert.StartsWith("""{"head":{"Next":{"Next":""", json);
        Assert.Contains("""{"Next":null,"Value":7},"Value":7}""", json);
        Assert.EndsWith("},\"Value\":7}}", json);
        Assert.Equal(depth, json.Split("\"Next\"").Length - 1);
    }
}
