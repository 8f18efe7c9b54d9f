using MessagePack;
using TaskQueue.Execution;
using TaskQueue.Messages;
using TaskQueue.Serialization;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

/// <summary>One message at a time through <see cref="TaskExecutor"/>, without a consumer or threads.</summary>
public sealed class ExecutorTests
{
    private readonly TaskApp app = TestApps.Memory();

    private TaskExecutor Executor => new(app);

    private static TakenMessage Taken(byte[] body) => new("default", body, "1", 0);

    private static byte[] Message(string name, byte[] arguments, int retries = 0) =>
        MessageCodec.Encode(new TaskMessage { Id = TaskId.New(), Name = name, Arguments = arguments, Retries = retries });

    private static byte[] Args(params object?[] values) => PayloadBuffer.Encode(values, static (ref MessagePackWriter w, object?[] v) =>
    {
        w.WriteArrayHeader(v.Length);
        foreach (var x in v)
        {
            switch (x)
            {
                case int i: w.Write(i); break;
                case string s: w.Write(s); break;
                case null: w.WriteNil(); break;
                default: throw new NotSupportedException();
            }
        }
    });

    [Fact]
    public async Task A_successful_run_stores_its_result_with_the_ack()
    {
        var body = Message(Add.Name, Args(2, 3));
        var completion = await Executor.ExecuteAsync(Taken(body), false, default);
        Assert.Equal(CompletionKind.Result, completion.Kind);
        Assert.Equal(MessageCodec.Decode(body).Id, completion.ResultId);
        Assert.Equal(new byte[] { 5 }, ResultCodec.Decode(completion.Result).Value.ToArray());
        Assert.Equal(app.ResultTtl, completion.ResultTtl);
    }

    [Fact]
    public async Task A_void_task_only_acks_unless_store_none()
    {
        var body = Message(Touch.Name, Args(Counters.NewKey()));
        Assert.Equal(CompletionKind.Ack, (await Executor.ExecuteAsync(Taken(body), false, default)).Kind);
        var storing = new TaskExecutor(TestApps.Memory(storeNone: true));
        var completion = await storing.ExecuteAsync(Taken(body), false, default);
        Assert.Equal(CompletionKind.Result, completion.Kind);
        Assert.Equal(ResultCodec.None.ToArray(), completion.Result.ToArray());
    }

    [Fact]
    public async Task A_null_result_is_none()
    {
        var completion = await Executor.ExecuteAsync(Taken(Message(Echo.Name, Args([null]))), false, default);
        Assert.Equal(CompletionKind.Ack, completion.Kind);
    }

    [Fact]
    public async Task A_failure_with_retries_left_is_retried_with_one_retry_fewer_after_the_delay()
    {
        var key = Counters.NewKey();
        var body = Message(FailTimes.Name, Args(key, 5), retries: 2);
        var completion = await Executor.ExecuteAsync(Taken(body), false, default);
        Assert.Equal(CompletionKind.Retry, completion.Kind);
        var again = MessageCodec.Decode(completion.Replacement);
        Assert.Equal(1, again.Retries);
        Assert.Equal(MessageCodec.Decode(body).Id, again.Id);
        Assert.Equal(TimeSpan.Zero, completion.Delay);
    }

    [Fact]
    public async Task A_failure_without_retries_stores_the_error()
    {
        var completion = await Executor.ExecuteAsync(Taken(Message(Boom.Name, Args("bad thing"))), false, default);
        Assert.Equal(CompletionKind.Result, completion.Kind);
        var stored = ResultCodec.Decode(completion.Result);
        Assert.True(stored.IsError);
        Assert.Equal("System.ArgumentException", stored.Error!.Type);
        Assert.Equal("bad thing", stored.Error.Message);
        Assert.Contains(nameof(TestTasks.Boom), stored.Error.StackTrace);
    }

    [Fact]
    public async Task Without_store_errors_a_final_failure_only_acks()
    {
        var quiet = new TaskExecutor(new TaskApp(new MemoryStorage()) { StoreErrors = false });
        Assert.Equal(CompletionKind.Ack, (await quiet.ExecuteAsync(Taken(Message(Boom.Name, Args("x"))), false, default)).Kind);
    }

    [Fact]
    public async Task An_unknown_task_goes_to_dead_letters_with_its_name_in_the_reason()
    {
        var completion = await Executor.ExecuteAsync(Taken(Message("Gone.Renamed.Task", Args())), false, default);
        Assert.Equal(CompletionKind.DeadLetter, completion.Kind);
        Assert.Contains("no task named 'Gone.Renamed.Task'", completion.Reason);
    }

    [Fact]
    public async Task A_malformed_message_goes_to_dead_letters()
    {
        var completion = await Executor.ExecuteAsync(Taken([0xff, 0x00, 0x13]), false, default);
        Assert.Equal(CompletionKind.DeadLetter, completion.Kind);
        Assert.StartsWith("malformed message", completion.Reason);
    }

    [Fact]
    public async Task Arguments_of_the_wrong_type_go_to_dead_letters_naming_the_parameter()
    {
        var completion = await Executor.ExecuteAsync(Taken(Message(Add.Name, Args("two", 3))), false, default);
        Assert.Equal(CompletionKind.DeadLetter, completion.Kind);
        Assert.Contains("'a'", completion.Reason);
    }

    [Fact]
    public async Task Arguments_nested_100_000_deep_go_to_dead_letters_at_once_saying_so()
    {
        // [head] where head is [[[...[nil, 0]..., 0], 0]: 100,000 links in 200 KB.
        const int depth = 100_000;
        var arguments = new byte[2 * depth + 2];
        arguments[0] = 0x91;
        arguments.AsSpan(1, depth).Fill(0x92);
        arguments[depth + 1] = 0xc0;

        var completion = await Executor.ExecuteAsync(Taken(Message(Length.Name, arguments, retries: 3)), false, default);

        Assert.Equal(CompletionKind.DeadLetter, completion.Kind);
        Assert.Contains("argument 'head'", completion.Reason);
        Assert.Contains("nested more than 500 levels deep", completion.Reason);
    }

    [Fact]
    public async Task Missing_arguments_go_to_dead_letters()
    {
        var completion = await Executor.ExecuteAsync(Taken(Message(Add.Name, Args(1))), false, default);
        Assert.Equal(CompletionKind.DeadLetter, completion.Kind);
        Assert.Contains("'b'", completion.Reason);
    }

    [Fact]
    public async Task The_task_sees_its_context()
    {
        var body = Message(Context.Name, Args(), retries: 3);
        var completion = await Executor.ExecuteAsync(Taken(body), false, default);
        var reader = new MessagePackReader(ResultCodec.Decode(completion.Result).Value);
        Assert.Equal($"{MessageCodec.Decode(body).Id}|{Context.Name}|3|0", reader.ReadString());
    }

    [Fact]
    public async Task A_revoked_instance_is_skipped_once()
    {
        var key = Counters.NewKey();
        var body = Message(Touch.Name, Args(key));
        await app.RevokeByIdAsync(MessageCodec.Decode(body).Id, revokeOnce: true);
        Assert.Equal(CompletionKind.Ack, (await Executor.ExecuteAsync(Taken(body), true, default)).Kind);
        Assert.Equal(0, Counters.Get(key));
        await Executor.ExecuteAsync(Taken(body), true, default);
        Assert.Equal(1, Counters.Get(key));
    }

    [Fact]
    public async Task A_run_interrupted_by_shutdown_is_handed_back()
    {
        using var stop = new CancellationTokenSource();
        var run = Executor.ExecuteAsync(Taken(Message(Slow.Name, Args(Counters.NewKey(), 60_000))), false, stop.Token).AsTask();
        stop.Cancel();
        Assert.Equal(CompletionKind.Release, (await run.WaitAsync(TestApps.Wait)).Kind);
    }

    [Fact]
    public async Task A_message_whose_eta_is_out_of_range_goes_to_dead_letters_instead_of_back_to_its_queue()
    {
        var arguments = Args(1, 2);
        var body = PayloadBuffer.Encode(arguments, static (ref MessagePackWriter w, byte[] args) =>
        {
            w.WriteArrayHeader(7);
            w.Write(2);
            w.Write("poison");
            w.Write(Add.Name);
            w.WriteRaw(args);
            w.Write(0);
            w.Write(0L);
            w.Write(long.MaxValue);
        });

        var completion = await Executor.ExecuteAsync(Taken(body), checkRevocations: false, CancellationToken.None);

        Assert.Equal(CompletionKind.DeadLetter, completion.Kind);
        Assert.StartsWith("malformed message: the message does not decode", completion.Reason);
    }

    [Fact]
    public async Task A_redelivered_copy_of_a_no_overlap_run_is_skipped_while_the_first_copy_runs()
    {
        var key = Counters.NewKey();
        var message = new TaskMessage
        {
            Id = TaskId.New(), Name = Slow.Name, Arguments = Args(key, 1500), RecurringId = "rec-" + key, Exclusive = true,
        };
        var body = MessageCodec.Encode(message);
        // The recurring runner queued it holding the record's lock for the message.
        Assert.True(await app.Storage.AcquireLockAsync(RecurringTasks.LockName(message.RecurringId), message.Id, TimeSpan.FromMinutes(1)));
        var executor = Executor;

        var first = executor.ExecuteAsync(new TakenMessage("default", body, "receipt-1", 0), checkRevocations: false, CancellationToken.None).AsTask();
        await Eventually.UntilAsync(() => Counters.Get(key + ":start") == 1, "the first copy to start");
        // A reaper handed the same message back (its consumer's heartbeat lapsed): another delivery, same id.
        var copy = await executor.ExecuteAsync(new TakenMessage("default", body, "receipt-2", 1), checkRevocations: false, CancellationToken.None);

        Assert.Equal(CompletionKind.Ack, copy.Kind);
        Assert.Equal(CompletionKind.Result, (await first).Kind);
        Assert.Equal(1, Counters.Get(key + ":start"));
    }

    [Fact]
    public async Task A_young_message_naming_an_unknown_task_is_handed_back_and_an_old_one_dead_lettered()
    {
        var (fake, time) = TestApps.WithFakeTime();
        var executor = new TaskExecutor(fake) { UnknownTaskGrace = TimeSpan.FromMinutes(1) };
        var body = MessageCodec.Encode(new TaskMessage { Id = TaskId.New(), Name = "Deployed.Tomorrow", Arguments = Args(), CreatedAt = time.GetUtcNow() });

        var young = await executor.ExecuteAsync(Taken(body), checkRevocations: false, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(2));
        var old = await executor.ExecuteAsync(Taken(body), checkRevocations: false, CancellationToken.None);

        Assert.Equal(CompletionKind.Retry, young.Kind);
        Assert.Equal(TimeSpan.FromSeconds(5), young.Delay);
        Assert.True(young.Replacement.Span.SequenceEqual(body));
        Assert.Equal(CompletionKind.DeadLetter, old.Kind);
        Assert.Contains("no task named 'Deployed.Tomorrow'", old.Reason);
    }

    [Fact]
    public async Task A_huge_task_name_is_cut_in_the_dead_letter_reason()
    {
        var name = new string('x', 1_000_000);
        var body = MessageCodec.Encode(new TaskMessage { Id = TaskId.New(), Name = name, Arguments = Args() });

        var completion = await Executor.ExecuteAsync(Taken(body), checkRevocations: false, CancellationToken.None);

        Assert.Equal(CompletionKind.DeadLetter, completion.Kind);
        Assert.InRange(completion.Reason!.Length, 1, 400);
        Assert.Contains("(1,000,000 characters)", completion.Reason);
    }
}
