using System.Runtime.InteropServices;

namespace TaskQueue.Soak;

/// <summary>SIGTERM, which .NET's Process cannot send (its Kill is SIGKILL).</summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    /// <summary>Sends SIGTERM; false if there was no such process (it exited already).</summary>
    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
