using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TaskQueue.Load;

/// <summary>
/// The redis-server processes this tool started, killed (and their directories removed) when the
/// tool ends some other way than through their owner's DisposeAsync: Ctrl+C, SIGTERM, an
/// exception that escapes. Their owners still stop them in the normal course.
/// </summary>
internal static class ChildProcesses
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<Process, string?> Running = [];
    private static readonly List<PosixSignalRegistration> Signals = [];
    private static bool hooked;

    /// <summary>Kills <paramref name="process"/> (and removes <paramref name="directory"/>) if the tool exits before <see cref="Remove"/>.</summary>
    public static void Add(Process process, string? directory = null)
    {
        lock (Gate)
        {
            if (!hooked)
            {
                hooked = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
                // Ctrl+C, kill, a closed terminal: the signal's own handling (ending the process) follows.
                foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
                {
                    Signals.Add(PosixSignalRegistration.Create(signal, _ => KillAll()));
                }
            }
            Running[process] = directory;
        }
    }

    /// <summary>The owner stopped <paramref name="process"/> itself.</summary>
    public static void Remove(Process process)
    {
        lock (Gate) Running.Remove(process);
    }

    private static void KillAll()
    {
        lock (Gate)
        {
            foreach (var process in Running.Keys)
            {
                try
                {
                    if (!process.HasExited) process.Kill();
                    process.WaitForExit(2000);
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Already gone.
                }
            }
            foreach (var directory in Running.Values.Distinct())
            {
                try
                {
                    if (directory is not null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A temporary directory left behind is not worth failing the exit for.
                }
            }
            Running.Clear();
        }
    }
}
