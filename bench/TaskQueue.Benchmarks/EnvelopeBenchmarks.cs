using BenchmarkDotNet.Attributes;
using TaskQueue.Messages;

namespace TaskQueue.Benchmarks;

/// <summary>The task envelope: encode and decode one message.</summary>
[MemoryDiagnoser]
public class EnvelopeBenchmarks
{
    private readonly TaskMessage message = new()
    {
        Id = TaskId.New(),
        Name = "Beans.BeanTasks.CountBeans",
        Arguments = new byte[] { 0x91, 0xcd, 0x03, 0xe8 },
        Retries = 3,
        RetryDelay = TimeSpan.FromSeconds(10),
        CreatedAt = DateTimeOffset.UtcNow,
    };
    private byte[] encoded = [];

    [GlobalSetup]
    public void Setup()
    {
        encoded = MessageCodec.Encode(message);
        Console.WriteLine($"// envelope size: {encoded.Length} B");
    }

    [Benchmark]
    public byte[] Encode() => MessageCodec.Encode(message);

    [Benchmark]
    public TaskMessage Decode() => MessageCodec.Decode(encoded);
}
