// Decoder fuzzing beyond the test command's 100,000 cases:
//   dotnet run -c Release --project bench/TaskQueue.Fuzz -- [--cases 10000000] [--seed 20260311] [--case N]
// --case N runs only case N of the seed (as a failure names it). Exit code 1 when any case broke a rule.
using System.Globalization;
using TaskQueue.Fuzzing;

long cases = 1_000_000, first = 0;
int seed = 20260311;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    long value = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
    switch (args[i])
    {
        case "--cases": cases = value; break;
        case "--seed": seed = checked((int)value); break;
        case "--case": first = value; cases = 1; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
Console.WriteLine($"fuzzing decoders: seed {seed}, cases {first:N0} to {first + cases - 1:N0}");
var report = new DecoderFuzzer(seed).Run(cases, first, Console.WriteLine);
foreach (var failure in report.Failures) Console.WriteLine(failure);
Console.WriteLine(report);
return report.Failures.Count == 0 ? 0 : 1;
