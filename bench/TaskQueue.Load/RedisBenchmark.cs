using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace TaskQueue.Load;

/// <summary>Runs redis-benchmark LPUSH against the same server, for the ratios.</summary>
internal sealed partial class RedisBenchmark(string endpoint)
{
    public double Run(int clients, int pipeline, int requests = 100_000)
    {
        var (host, port) = Split(endpoint);
        var info = new ProcessStartInfo("redis-benchmark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-h", host, "-p", port, "-t", "lpush", "-n", requests.ToString(CultureInfo.InvariantCulture), "-c", clients.ToString(CultureInfo.InvariantCulture), "-P", pipeline.ToString(CultureInfo.InvariantCulture), "-q" })
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("redis-benchmark did not start");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var matches = RateRegex().Matches(output);
        if (matches.Count == 0) throw new InvalidOperationException("redis-benchmark printed no rate:\n" + output);
        return double.Parse(matches[^1].Groups[1].Value, CultureInfo.InvariantCulture);
    }

    internal static (string Host, string Port) Split(string endpoint)
    {
        var first = endpoint.Split(',')[0];
        int colon = first.LastIndexOf(':');
        return colon < 0 ? (first, "6379") : (first[..colon], first[(colon + 1)..]);
    }

    [GeneratedRegex(@"LPUSH: ([0-9.]+) requests per second")]
    private static partial Regex RateRegex();
}
