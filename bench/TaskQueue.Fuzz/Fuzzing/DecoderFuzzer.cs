using System.Diagnostics;
using System.Globalization;

namespace TaskQueue.Fuzzing;

/// <summary>One input that broke a rule: how to get it again, and what happened.</summary>
public sealed record FuzzFailure(int Seed, long Case, string Target, string Mutation, byte[] Input, string What)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"seed {Seed} case {Case} ({Target}; {Mutation}; {Input.Length} bytes {Convert.ToHexString(Input.AsSpan(0, Math.Min(Input.Length, 48)))}{(Input.Length > 48 ? "…" : "")}): {What}");
}

/// <summary>What a run did.</summary>
/// <param name="Seed">The run's seed.</param>
/// <param name="Cases">How many cases ran (a run stops after 20 failures).</param>
/// <param name="Rejected">How many inputs were refused as bad payloads.</param>
/// <param name="Elapsed">How long the cases took.</param>
/// <param name="MostAllocated">The most one case allocated, in bytes.</param>
/// <param name="MostPerInputByte">The most one case of at least 64 bytes allocated per input byte.</param>
/// <param name="Failures">The cases that broke a rule.</param>
public sealed record FuzzReport(
    int Seed, long Cases, long Rejected, TimeSpan Elapsed, long MostAllocated, double MostPerInputByte, IReadOnlyList<FuzzFailure> Failures)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"seed {Seed}: {Cases:N0} cases in {Elapsed.TotalSeconds:0.0} s, {Rejected:N0} rejected as bad payloads, {Cases - Rejected:N0} decoded; "
        + $"at most {MostAllocated:N0} bytes and {MostPerInputByte:0.0} bytes per input byte allocated; {Failures.Count} failures");
}

/// <summary>
/// Feeds mutated encodings to every decoder of <see cref="FuzzTargets"/> and holds each call to three
/// rules: the only exception is <see cref="TaskPayloadException"/>, the error a worker turns into a dead
/// letter; nothing crashes the process (a stack overflow would end the run); and what a call allocates
/// is bounded by its input: at most <see cref="BytesPerInputByte"/> bytes per input byte beyond an
/// allowance of <see cref="AllowanceBytes"/> for the exception and the objects every call makes.
/// Each case draws from a generator seeded by the run's seed and the case's number, so
/// <c>--seed S --case N</c> repeats one case alone.
/// </summary>
public sealed class DecoderFuzzer(int seed)
{
    /// <summary>
    /// Memory per input byte a decode may take. Decoded values are larger than their encoding (a
    /// one-byte <c>0x91</c> decodes to a whole record), by up to 34 times in these shapes; what this
    /// catches is memory claimed by a header or grown without bound. (Room made for every element a
    /// header claims costs less per byte than that; <c>HeaderCountTests</c> catch it.)
    /// </summary>
    public const int BytesPerInputByte = 64;

    /// <summary>Memory any decode may take: an exception, its message, and its stack trace through up to 500 levels (about 35 KB).</summary>
    public const int AllowanceBytes = 48 * 1024;

    private const int MaxFailures = 20;

    private readonly IReadOnlyList<FuzzTarget> targets = FuzzTargets.Create();

    public int Seed { get; } = seed;

    /// <summary>Runs cases <paramref name="first"/> to <paramref name="first"/> + <paramref name="cases"/> - 1; <paramref name="progress"/> hears every 100,000.</summary>
    public FuzzReport Run(long cases, long first = 0, Action<string>? progress = null)
    {
        WarmUp();
        var failures = new List<FuzzFailure>();
        long rejected = 0;
        long most = 0;
        double worst = 0;
        var clock = Stopwatch.StartNew();
        long n = first;
        for (; n < first + cases && failures.Count < MaxFailures; n++)
        {
            var rng = new Random(CaseSeed(n));
            var target = targets[rng.Next(targets.Count)];
            var (input, mutation) = Mutator.Mutate(target.Seeds[rng.Next(target.Seeds.Count)], rng);
            var (error, allocated) = Measure(target, input);
            if (allocated > Bound(input) && Measure(target, input).Allocated is var again && again > Bound(input))
            {
                // Measured twice: the first call of a path may load resources (an exception's message) once per process.
                allocated = again;
                failures.Add(new FuzzFailure(Seed, n, target.Name, mutation, input, $"allocated {allocated:N0} bytes, more than {Bound(input):N0}"));
            }
            most = Math.Max(most, allocated);
            if (input.Length >= 64) worst = Math.Max(worst, (double)allocated / input.Length);
            switch (error)
            {
                case null:
                    break;
                case TaskPayloadException:
                    rejected++;
                    break;
                default:
                    failures.Add(new FuzzFailure(Seed, n, target.Name, mutation, input, $"threw {error.GetType().FullName}: {error.Message}"));
                    break;
            }
            if (progress is not null && (n + 1) % 100_000 == 0) progress(string.Create(CultureInfo.InvariantCulture, $"{n + 1:N0} cases, {clock.Elapsed.TotalSeconds:0} s"));
        }
        return new FuzzReport(Seed, n - first, rejected, clock.Elapsed, most, worst, failures);
    }

    private static long Bound(byte[] input) => (long)BytesPerInputByte * input.Length + AllowanceBytes;

    private static (Exception? Error, long Allocated) Measure(FuzzTarget target, byte[] input)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            target.Decode(input);
            return (null, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        catch (Exception e)
        {
            return (e, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    /// <summary>Every seed decoded once, so that compiling and first-use allocations are not counted against a case.</summary>
    private void WarmUp()
    {
        foreach (var target in targets)
        {
            foreach (var seed in target.Seeds) Measure(target, seed);
        }
    }

    /// <summary>A case's own seed: SplitMix64 of the run's seed and the case number.</summary>
    private int CaseSeed(long n)
    {
        ulong z = unchecked((ulong)Seed * 0x9E3779B97F4A7C15UL + (ulong)n + 1);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)(z ^ (z >> 31));
    }
}
