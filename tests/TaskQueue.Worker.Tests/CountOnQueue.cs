using MessagePack;
using TaskQueue.Serialization;
using TaskQueue.Worker.TestHost;

namespace TaskQueue.Worker.Tests;

/// <summary>
/// The test host's <see cref="ProbeTasks.Count"/> sent to a queue of the test's choosing: the same
/// task name, so a worker serving that queue runs it and counts the run in the probe's <c>counts</c> hash.
/// </summary>
internal static class CountOnQueue
{
    /// <summary>The descriptor of <c>Count</c> with its messages going to <paramref name="queue"/>.</summary>
    public static TaskDescriptor Descriptor(string queue)
        => new(Count.Name, queue, Count.Descriptor.Retries, Count.Descriptor.RetryDelay, Count.Descriptor.Invoker);

    /// <summary>The encoded arguments of <c>Count(n)</c>.</summary>
    public static ReadOnlyMemory<byte> Arguments(int n)
        => PayloadBuffer.Encode(n, static (ref MessagePackWriter writer, int value) =>
        {
            writer.WriteArrayHeader(1);
            writer.Write(value);
        });
}
