using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace TaskQueue.Soak;

/// <summary>One worker process of the soak: its slot (1, 2, ... in start order), its fate and its memory.</summary>
internal sealed partial class SoakWorker : IDisposable
{
    private readonly Process process;
    private readonly TextWriter log;
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long startTimestamp = Stopwatch.GetTimestamp();
    private int warnings, errors, handedBack;

    public SoakWorker(int slot, Process process, TextWriter log)
    {
        Slot = slot;
        this.process = process;
        this.log = log;
        Pid = process.Id;
        process.OutputDataReceived += (_, e) => Take(e.Data);
        process.ErrorDataReceived += (_, e) => Take(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"worker {slot} (pid {Pid}) exited before it was ready"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Slot { get; }
    public int Pid { get; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Completes when the worker logs that it is ready.</summary>
    public Task Ready => ready.Task;

    /// <summary>How long it took to be ready.</summary>
    public TimeSpan? StartupTime { get; private set; }

    public DateTimeOffset? KilledAt { get; private set; }
    public long? RssStartKb { get; set; }
    public long? RssEndKb { get; set; }
    public long? PeakRssKb { get; set; }
    public int Warnings => Volatile.Read(ref warnings);
    public int Errors => Volatile.Read(ref errors);

    /// <summary>Tasks of dead consumers this worker's reaper put back on the queue, as it logged them.</summary>
    public int HandedBack => Volatile.Read(ref handedBack);
    public bool HasExited => process.HasExited;
    public int? ExitCode => process.HasExited ? process.ExitCode : null;

    /// <summary>Whether it exited without being killed or told to stop.</summary>
    public bool ExitedOnItsOwn => process.HasExited && KilledAt is null && !Stopped;

    public bool Stopped { get; private set; }

    public void KillHard()
    {
        KilledAt = DateTimeOffset.UtcNow;
        process.Kill();   // SIGKILL: no cleanup of any kind
    }

    public void Stop()
    {
        Stopped = true;
        if (!process.HasExited) Signals.Terminate(Pid);   // false only when it has just exited
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => process.WaitForExitAsync(cancellationToken);

    /// <summary>Reads VmRSS (now) and VmHWM (the peak) from /proc; null once it has exited.</summary>
    public (long? RssKb, long? PeakKb) ReadMemory()
    {
        try
        {
            long? rss = null, peak = null;
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kilobytes(line);
            }
            return (rss, peak);
        }
        catch (IOException)
        {
            return (null, null);
        }

        static long Kilobytes(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill();
        process.Dispose();
    }

    private void Take(string? line)
    {
        if (line is null) return;
        log.WriteLine($"[{Slot} {Pid}] {line}");
        // The worker's simple console log: "HH:mm:ss.fff warn: Category[id] message".
        if (line.Contains(" warn: ", StringComparison.Ordinal)) Interlocked.Increment(ref warnings);
        if (HandedBackLine().Match(line) is { Success: true } m) Interlocked.Add(ref handedBack, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        if (line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal)) Interlocked.Increment(ref errors);
        if (!ready.Task.IsCompleted && line.Contains(" ready: ", StringComparison.Ordinal))
        {
            StartupTime = Stopwatch.GetElapsedTime(startTimestamp);
            ready.TrySetResult();
        }
    }

    // The consumer's event 15 (HeartbeatLoop.LogReaped).
    [GeneratedRegex(@"Handed back (\d+) tasks of consumers that stopped responding")]
    private static partial Regex HandedBackLine();
}
