using TaskQueue.Fuzzing;
using Xunit.Abstractions;

namespace TaskQueue.Generator.Tests;

/// <summary>
/// Seeded random and mutated envelopes, stored results, arguments and results of every generated shape
/// (issue #11). Longer runs, other seeds, one case alone: <c>bench/TaskQueue.Fuzz</c>.
/// </summary>
public sealed class DecoderFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20260311;

    [Fact]
    public void Decoders_survive_100_000_hostile_payloads_with_payload_errors_only_and_bounded_memory()
    {
        var report = new DecoderFuzzer(Seed).Run(100_000);

        output.WriteLine(report.ToString());
        Assert.True(report.Failures.Count == 0, $"{report}\n{string.Join("\n", report.Failures)}");
        // Most cases must get past the first bytes, or the mutations test nothing.
        Assert.InRange(report.Rejected, report.Cases / 10, report.Cases * 19 / 20);
    }
}
