using TaskQueue.Generator.Tests.Tasks;

namespace TaskQueue.Generator.Tests;

/// <summary>
/// Collection headers that claim more than the payload holds: a payload error, and memory for the
/// elements that actually decode, never for the count a header claims (issue #11, fault 8).
/// </summary>
public sealed class HeaderCountTests
{
    private static readonly TaskContext Context = new("counts", "counts", 0, TimeSpan.Zero);

    public static TheoryData<string> Collections => ["array", "list", "dictionary"];

    private static TaskDescriptor TaskTaking(string collection) => collection switch
    {
        "array" => CountValues.Descriptor,
        "list" => CountNames.Descriptor,
        _ => CountKeys.Descriptor,
    };

    /// <summary>The arguments <c>[collection]</c>: a 32-bit array or map header claiming <paramref name="count"/>, then <paramref name="filler"/> bytes of 0xc1 (a code MessagePack never uses).</summary>
    private static byte[] Claiming(string collection, uint count, int filler)
    {
        var bytes = new byte[6 + filler];
        bytes[0] = 0x91;
        bytes[1] = collection == "dictionary" ? (byte)0xdf : (byte)0xdd;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), count);
        bytes.AsSpan(6).Fill(0xc1);
        return bytes;
    }

    /// <summary>Decodes <paramref name="arguments"/> for <paramref name="task"/> and measures what the thread allocated meanwhile.</summary>
    private static (Exception? Error, long Allocated) Decode(TaskDescriptor task, byte[] arguments)
    {
        Run(task, arguments); // JIT and statics first, so that only the decode is measured
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Run(task, arguments);
        return (error, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static Exception? Run(TaskDescriptor task, byte[] arguments)
    {
        try
        {
            task.Invoker(arguments, Context, CancellationToken.None).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    [Theory]
    [MemberData(nameof(Collections))]
    public void A_header_claiming_2_147_483_647_elements_with_10_bytes_behind_it_is_a_payload_error(string collection)
    {
        var arguments = Claiming(collection, int.MaxValue, filler: 10);

        var (error, allocated) = Decode(TaskTaking(collection), arguments);

        Assert.IsType<TaskPayloadException>(error);
        Assert.True(allocated < 16 * 1024, $"decoding {arguments.Length} bytes allocated {allocated:N0} bytes");
    }

    [Theory]
    [MemberData(nameof(Collections))]
    public void A_header_claiming_as_many_elements_as_bytes_remain_allocates_only_for_what_decodes(string collection)
    {
        // Each element takes at least a byte (an entry two), so MessagePack accepts the count; none decodes.
        const int filler = 1 << 20;
        var arguments = Claiming(collection, collection == "dictionary" ? filler / 2u : filler, filler);

        var (error, allocated) = Decode(TaskTaking(collection), arguments);

        Assert.IsType<TaskPayloadException>(error);
        Assert.True(allocated < arguments.Length / 8, $"decoding {arguments.Length:N0} bytes allocated {allocated:N0} bytes");
    }

    [Fact]
    public async Task Collections_longer_than_the_presized_count_grow_and_round_trip()
    {
        await using var app = new TaskApp { Eager = true };
        var numbers = Enumerable.Range(0, 5000).ToArray();
        var bag = new Bag(
            numbers, [.. numbers.Select(n => "n" + n)], [.. numbers.Select(n => n / 2.0)], numbers.ToDictionary(n => "k" + n),
            new Dictionary<string, List<int>> { ["all"] = [.. numbers] }, [.. numbers.Select(n => new[] { n })], [.. numbers.Select(n => (byte)n)],
            [.. numbers.Select(n => n % 3 == 0 ? null : "m" + n)]);

        Assert.Equivalent(bag, EchoBag.With(app).Enqueue(bag).Get(), strict: true);
    }
}
