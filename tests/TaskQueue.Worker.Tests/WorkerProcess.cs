using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using TaskQueue.Testing;

namespace TaskQueue.Worker.Tests;

/// <summary>A real worker process (the test host), its output, and signals to it.</summary>
public sealed partial class WorkerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private WorkerProcess(Process process) => this.process = process;

    /// <summary>Every line the worker wrote so far.</summary>
    public IReadOnlyCollection<string> Output => output;

    /// <summary>The process id.</summary>
    public int Id => process.Id;

    /// <summary>Whether it has exited.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>Starts the test host with <paramref name="arguments"/> and waits until it says it is ready.</summary>
    public static Task<WorkerProcess> StartAsync(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, bool waitReady = true,
        string? workingDirectory = null)
        => StartAsync("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "TaskQueue.Worker.TestHost.dll"), .. arguments], environment, waitReady, workingDirectory);

    /// <summary>Starts <paramref name="executable"/> (a native worker, say) and waits until it says it is ready.</summary>
    public static async Task<WorkerProcess> StartAsync(string executable, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, bool waitReady = true,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the worker");
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) worker.output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) worker.output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitReady)
        {
            await Eventually.UntilAsync(() => worker.output.Any(l => l.Contains("ready:")) || process.HasExited, "the worker to be ready");
            if (process.HasExited) throw new InvalidOperationException("the worker exited at start:\n" + worker.Dump());
        }
        return worker;
    }

    /// <summary>Sends SIGTERM (or another signal).</summary>
    public void Signal(int signal = 15)
    {
        if (Kill(process.Id, signal) != 0) throw new InvalidOperationException($"kill({process.Id}, {signal}) failed");
    }

    /// <summary>Kills it with SIGKILL: no cleanup of any kind.</summary>
    public void KillHard() => process.Kill();

    /// <summary>Waits for it to exit and returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the worker did not exit within {timeout.TotalSeconds} s:\n{Dump()}");
        }
        return process.ExitCode;
    }

    /// <summary>Its output, for failure messages.</summary>
    public string Dump() => string.Join("\n", output);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
