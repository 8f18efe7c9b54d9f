namespace TaskQueue.Worker;

/// <summary>What a worker process's exit code means.</summary>
public static class ExitCodes
{
    /// <summary>Stopped gracefully (SIGTERM, Ctrl-C or the caller's token): running tasks finished or went back to their queues.</summary>
    public const int Stopped = 0;

    /// <summary>Stopped at once by a second signal: running tasks were cancelled and handed back.</summary>
    public const int StoppedAtOnce = 1;

    /// <summary>Did not start: bad command line, environment variable or configuration (the message says which).</summary>
    public const int Usage = 2;

    /// <summary>
    /// Stopped, but a task ignored its cancellation token after the grace period: its message went
    /// back to the queue while it still ran, so it may run again elsewhere. Pass the token on (or
    /// raise the grace) in that task.
    /// </summary>
    public const int TasksLeftRunning = 3;
}
