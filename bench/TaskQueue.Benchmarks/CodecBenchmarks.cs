using System.Buffers;
using BenchmarkDotNet.Attributes;
using MessagePack;
using MessagePack.Resolvers;
using TaskQueue.Generated;

namespace TaskQueue.Benchmarks;

/// <summary>The generated codec beside MessagePack's own contractless serializer, on the same record.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private static readonly MessagePackSerializerOptions Contractless = MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);
    private readonly Order order = BenchTasks.SampleOrder();
    private readonly ArrayBufferWriter<byte> buffer = new(1024);
    private byte[] generatedBytes = [];
    private byte[] contractlessBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        generatedBytes = GeneratedWrite();
        contractlessBytes = MessagePackSerializer.Serialize(order, Contractless);
        Console.WriteLine($"// encoded size: generated {generatedBytes.Length} B, contractless {contractlessBytes.Length} B");
    }

    [Benchmark(Baseline = true)]
    public byte[] GeneratedWrite()
    {
        buffer.ResetWrittenCount();
        var writer = new MessagePackWriter(buffer);
        TaskCodecs.Write(ref writer, order);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    [Benchmark]
    public Order GeneratedRead()
    {
        var reader = new MessagePackReader(generatedBytes);
        TaskCodecs.Read(ref reader, out Order value);
        return value;
    }

    [Benchmark]
    public byte[] ContractlessWrite() => MessagePackSerializer.Serialize(order, Contractless);

    [Benchmark]
    public Order ContractlessRead() => MessagePackSerializer.Deserialize<Order>(contractlessBytes, Contractless);
}
