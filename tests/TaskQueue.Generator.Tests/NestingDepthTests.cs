using TaskQueue.Generator.Tests.Tasks;

namespace TaskQueue.Generator.Tests;

/// <summary>
/// Generated decoders of recursive types against payloads nested far deeper than any real value:
/// a payload error, never a stack overflow that kills the worker (issue #11, fault 7).
/// </summary>
public sealed class NestingDepthTests
{
    private static readonly TaskContext Context = new("nesting", "nesting", 0, TimeSpan.Zero);

    /// <summary>The arguments <c>[head]</c> for a chain of <paramref name="depth"/> nodes: <c>[[[...[nil, 0]..., 0], 0]]</c>.</summary>
    private static byte[] Chain(int depth)
    {
        var bytes = new byte[2 * depth + 2];
        bytes[0] = 0x91;
        bytes.AsSpan(1, depth).Fill(0x92);
        bytes[depth + 1] = 0xc0;
        return bytes;
    }

    /// <summary>The arguments <c>[root]</c> for a tree <paramref name="depth"/> nodes deep, each the only child of the one above.</summary>
    private static byte[] Tree(int depth)
    {
        var bytes = new List<byte> { 0x91 };
        for (int i = 0; i < depth; i++) bytes.AddRange([0x92, 0xa0, 0x91]);
        bytes.AddRange([0x92, 0xa0, 0x90]);
        return [.. bytes];
    }

    private static Task<byte[]?> Invoke(TaskDescriptor task, byte[] arguments) => task.Invoker(arguments, Context, CancellationToken.None).AsTask();

    [Fact]
    public async Task A_chain_nested_100_000_deep_is_a_payload_error()
    {
        var error = await Assert.ThrowsAsync<TaskPayloadException>(() => Invoke(ChainLength.Descriptor, Chain(100_000)));

        Assert.Contains("argument 'head'", error.Message);
        Assert.Contains("nested more than 500 levels deep", error.Message);
    }

    [Fact]
    public async Task A_tree_of_lists_nested_100_000_deep_is_a_payload_error()
    {
        var error = await Assert.ThrowsAsync<TaskPayloadException>(() => Invoke(CountNodes.Descriptor, Tree(100_000)));

        Assert.Contains("nested more than 500 levels deep", error.Message);
    }

    [Fact]
    public async Task A_chain_within_the_limit_decodes()
    {
        // Each node is one level; the arguments array around them is not the value's.
        var result = await Invoke(ChainLength.Descriptor, Chain(500));

        Assert.Equal(500, new MessagePack.MessagePackReader(result).ReadInt32());
        await Assert.ThrowsAsync<TaskPayloadException>(() => Invoke(ChainLength.Descriptor, Chain(501)));
    }

    [Fact]
    public async Task A_deeply_nested_extra_member_is_skipped_without_recursion()
    {
        // [[nil, 5, <an unknown member 100,000 arrays deep>]]: newer data a reader skips.
        const int depth = 100_000;
        var arguments = new byte[4 + depth + 1];
        arguments[0] = 0x91;
        arguments[1] = 0x93;
        arguments[2] = 0xc0;
        arguments[3] = 0x05;
        arguments.AsSpan(4, depth).Fill(0x91);
        arguments[^1] = 0xc0;

        var result = await Invoke(ChainLength.Descriptor, arguments);

        Assert.Equal(1, new MessagePack.MessagePackReader(result).ReadInt32());
    }

    [Fact]
    public async Task A_deeply_nested_result_is_a_payload_error_for_its_reader()
    {
        await using var app = new TaskApp();
        string id = TaskId.New();
        // A stored value [0, tree], the tree 100,000 nodes deep (the arguments' tree without their array).
        await app.Storage.PutResultAsync(id, Messages.ResultCodec.EncodeValue(Tree(100_000).AsMemory(1)), ttl: null);

        var error = await Assert.ThrowsAsync<TaskPayloadException>(async () => await Mirror.With(app).Result(id).GetAsync(blocking: false));

        Assert.Contains("nested more than 500 levels deep", error.Message);
    }
}
