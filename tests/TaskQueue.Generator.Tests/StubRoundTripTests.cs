using TaskQueue.Generator.Tests.Tasks;

namespace TaskQueue.Generator.Tests;

/// <summary>
/// The test assembly's own tasks, through their generated stubs on an eager app: arguments and results
/// travel through the generated encoding exactly as they would to a consumer.
/// </summary>
public sealed class StubRoundTripTests : IAsyncLifetime
{
    private readonly TaskApp app = new() { Eager = true };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static Order SampleOrder() => new(
        Guid.NewGuid(),
        new Customer("Ada", null),
        [new Line("bean", 3, 1.25m), new Line("pod", 1, 10m)],
        new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)))
    { Note = "fragile" };

    [Fact]
    public void Value_task_round_trips()
        => Assert.Equal("hello", Echo.With(app).Enqueue("hello").Get());

    [Fact]
    public void Nested_records_with_lists_round_trip()
    {
        var order = SampleOrder();

        var summary = Summarize.With(app).Enqueue(order).Get();

        Assert.Equal(new OrderSummary(order.Id, 2, 13.75m, "fragile"), summary);
    }

    [Fact]
    public void Recursive_records_round_trip()
    {
        var tree = new TreeNode("root", [new TreeNode("a", [new TreeNode("a1", [])]), new TreeNode("b", [])]);

        Assert.Equal(4, CountNodes.With(app).Enqueue(tree).Get());
        var mirrored = Mirror.With(app).Enqueue(tree).Get();
        Assert.Equal(["b", "a"], mirrored.Children.Select(c => c.Name));
        Assert.Equal("a1", mirrored.Children[1].Children.Single().Name);
    }

    [Fact]
    public void Arrays_lists_dictionaries_and_bytes_round_trip_inside_a_record()
    {
        var bag = new Bag(
            [1, 2, 3], ["x", "y"], [0.5, 1.5], new() { ["one"] = 1 }, new Dictionary<string, List<int>> { ["g"] = [4, 5] },
            [[1], [2, 3], []], [0, 255, 7], ["a", null]);

        Assert.Equivalent(bag, EchoBag.With(app).Enqueue(bag).Get(), strict: true);
    }

    [Fact]
    public void Every_collection_shape_travels_as_an_argument()
    {
        var result = Collections.With(app).Enqueue(
            [1, 2], ["a", "b", "c"], [1.5, 2.5], Enumerable.Range(7, 2).Select(i => (long)i), ['a'], [(short)-3],
            [Guid.NewGuid()], new Dictionary<string, Point> { ["p"] = new Point(1, 2), ["q"] = new Point(3, 4) }).Get();

        Assert.Equal([1, 2], result["numbers"]);
        Assert.Equal([3], result["names"]);
        Assert.Equal([4], result["values"]);
        Assert.Equal([7, 8], result["longs"]);
        Assert.Equal([97], result["letters"]);
        Assert.Equal([-3], result["shorts"]);
        Assert.Equal([1], result["ids"]);
        Assert.Equal([12, 34], result["points"]);
    }

    [Fact]
    public void Every_scalar_kind_round_trips_as_arguments_and_as_members()
    {
        var scalars = new Scalars(
            Color.Blue, Priority.Low, 42, "note", Guid.NewGuid(), new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(-330)),
            new DateTime(2021, 6, 7, 8, 9, 10, DateTimeKind.Utc), TimeSpan.FromMilliseconds(1234.5), 79228162514264337593543950335m, 'é',
            true, 1.25f, Math.PI, sbyte.MinValue, short.MinValue, ushort.MaxValue, uint.MaxValue, long.MinValue, ulong.MaxValue, 200);

        Assert.Equal(scalars, EchoScalars.With(app).Enqueue(scalars).Get());
        var s = scalars;
        Assert.Equal(scalars, ScalarArguments.With(app).Enqueue(
            s.Color, s.Priority, s.Limit, s.Note, s.Id, s.When, s.At, s.Span, s.Amount, s.Letter, s.Flag, s.Ratio, s.Precise,
            s.Tiny, s.Small, s.Port, s.Big, s.Long, s.Huge, s.Byte).Get());
    }

    [Fact]
    public void Nulls_travel_where_the_types_allow_them()
    {
        var scalars = new Scalars(Color.Red, null, null, null, null, default, default, default, 0m, 'x', false, 0f, 0d, 0, 0, 0, 0, 0, 0, 0);

        Assert.Equal(scalars, EchoScalars.With(app).Enqueue(scalars).Get());
        Assert.Equal(Color.Green, Pick.With(app).Enqueue(Color.Green).Get());
    }

    [Fact]
    public async Task A_null_result_reads_as_null_when_the_app_stores_none()
    {
        await using var storing = new TaskApp { Eager = true, StoreNone = true };

        Assert.Null(Pick.With(storing).Enqueue(null).Get(timeout: TimeSpan.FromSeconds(5)));
        Assert.Null(Maybe.With(storing).Enqueue(false).Get(timeout: TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Settable_and_init_members_and_nullable_structs_round_trip()
    {
        var configured = Configure.With(app).Enqueue(new Settings { Region = "eu", Limit = 3 }, new Point(4, 0)).Get();

        Assert.Equal("eu!", configured.Region);
        Assert.Equal(7, configured.Limit);
        Assert.Equal(11, Configure.With(app).Enqueue(new Settings { Region = "us", Limit = 11 }, null).Get().Limit);
    }

    [Fact]
    public void Async_task_receives_its_context_and_token()
        => Assert.Equal($"{Describe.Name}:5:0", Describe.With(app).Enqueue(5).Get());

    [Fact]
    public void A_task_that_throws_stores_its_error_for_the_reader()
    {
        var result = Fail.With(app).Enqueue("boom");

        var error = Assert.Throws<TaskFailedException>(() => result.Get());
        Assert.Equal("boom", error.RemoteMessage);
        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteType);
    }

    [Fact]
    public void Void_task_runs_through_the_stub()
    {
        Remember.With(app).Enqueue("remembered-by-stub");

        Assert.Contains("remembered-by-stub", SampleTasks.Remembered);
    }

    [Fact]
    public async Task Enqueue_many_takes_tuples_and_returns_handles_in_order()
    {
        var results = await Add.With(app).EnqueueManyAsync([(1, 2), (3, 4)]);

        Assert.Equal([3, 7], results.Select(r => r.Get()));
    }

    [Fact]
    public async Task Enqueue_many_of_a_task_without_arguments_takes_a_count()
    {
        var results = await Ping.With(app).EnqueueManyAsync(3);

        Assert.Equal(3, results.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task Async_stubs_and_schedule_work_eagerly()
    {
        Assert.Equal(12, (await Add.With(app).EnqueueAsync(2)).Get());
        Assert.Equal("later", Echo.With(app).Schedule("later", delay: TimeSpan.FromHours(1)).Get());
        Assert.Equal("at", (await Echo.With(app).ScheduleAsync("at", eta: DateTimeOffset.UtcNow.AddHours(1))).Get());
        Assert.Throws<ArgumentException>(() => Echo.With(app).Schedule("neither"));
    }

    [Fact]
    public void Static_stubs_use_the_current_app()
    {
        using (app.MakeCurrent())
        {
            Assert.Equal("current", Echo.Enqueue("current").Get());
        }
    }

    [Fact]
    public void Revoking_the_task_skips_its_runs_until_restored()
    {
        var bound = Remember.With(app);

        bound.Revoke();
        Assert.True(bound.IsRevoked());
        bound.Enqueue("revoked-run");
        Assert.DoesNotContain("revoked-run", SampleTasks.Remembered);
        Assert.True(bound.Restore());
        Assert.False(bound.IsRevoked());
    }

    [Fact]
    public void Result_handle_from_an_id_reads_the_stored_value()
    {
        var id = Echo.With(app).Enqueue("by id").Id;

        Assert.Equal("by id", Echo.With(app).Result(id).Get());
    }

    [Fact]
    public void A_null_result_stores_nothing_but_a_value_is_read()
    {
        Assert.Equal("given", Maybe.With(app).Enqueue(true).Get());
        Assert.False(Maybe.With(app).Enqueue(false).TryGet(out _));
    }
}
