using System.Diagnostics;
using System.Globalization;

namespace TaskQueue.Soak;

/// <summary>
/// The worker processes: this program run as <c>worker</c>, which is <c>TaskQueueWorker.RunAsync</c>
/// with the soak's task. Every process gets the next slot number, which its runs write to the ledger.
/// </summary>
internal sealed class WorkerPool : IAsyncDisposable
{
    private readonly SoakOptions options;
    private readonly string redis;
    private readonly string application;
    private readonly TextWriter log;
    private readonly List<SoakWorker> all = [];

    public WorkerPool(SoakOptions options, string redis, string application, string logPath)
    {
        this.options = options;
        this.redis = redis;
        this.application = application;
        LogPath = logPath;
        log = TextWriter.Synchronized(new StreamWriter(logPath) { AutoFlush = true });
    }

    /// <summary>Where every line the workers wrote goes, prefixed by slot and pid.</summary>
    public string LogPath { get; }

    /// <summary>Every worker started, in start order.</summary>
    public IReadOnlyList<SoakWorker> All => all;

    public IEnumerable<SoakWorker> Running => all.Where(w => !w.HasExited);

    /// <summary>Starts one worker process; its <see cref="SoakWorker.Ready"/> says when it takes tasks.</summary>
    public SoakWorker Start()
    {
        int slot = all.Count + 1;
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] arguments =
        [
            "exec", typeof(WorkerPool).Assembly.Location, "worker",
            "--redis", redis, "--app", application,
            "--workers", options.WorkersPerProcess.ToString(CultureInfo.InvariantCulture),
            "--visibility-timeout", options.VisibilityTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            "--grace", "10",
        ];
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment[SoakTasks.RedisVariable] = redis;
        info.Environment[SoakTasks.ApplicationVariable] = application;
        info.Environment[SoakTasks.SlotVariable] = slot.ToString(CultureInfo.InvariantCulture);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start a worker process");
        var worker = new SoakWorker(slot, process, log);
        all.Add(worker);
        return worker;
    }

    /// <summary>SIGKILLs one running worker, chosen by <paramref name="random"/>.</summary>
    public SoakWorker KillOne(Random random)
    {
        var running = Running.ToList();
        var victim = running[random.Next(running.Count)];
        var (rss, peak) = victim.ReadMemory();
        victim.RssEndKb = rss;
        victim.PeakRssKb = peak;
        victim.KillHard();
        return victim;
    }

    /// <summary>Reads the memory of every running worker into its end figures (and, with <paramref name="start"/>, its start figures).</summary>
    public void ReadMemory(bool start)
    {
        foreach (var w in Running)
        {
            var (rss, peak) = w.ReadMemory();
            if (start) w.RssStartKb = rss;
            else (w.RssEndKb, w.PeakRssKb) = (rss, peak);
        }
    }

    /// <summary>SIGTERMs every running worker and waits for them to exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        var running = Running.ToList();
        foreach (var w in running) w.Stop();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Task.WhenAll(running.Select(w => w.WaitForExitAsync(cts.Token)));
        }
        catch (OperationCanceledException)
        {
            // Reported as a worker without an exit code.
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var w in all) w.Dispose();
        log.Dispose();
        return ValueTask.CompletedTask;
    }
}
