using Microsoft.Extensions.Logging;

namespace TaskQueue.Consumer;

/// <summary>What a consumer was doing when storage failed; one flag each in <see cref="StorageFaults"/>.</summary>
internal enum StorageOperation
{
    Connect,
    Take,
    Settle,
    RunTask,
    Heartbeat,
    Reap,
    Promote,
    Periodic,
    Recurring,
    WatchCancels,
}

/// <summary>
/// The log of one consumer's storage faults: one warning when the first call fails, then at most one
/// a minute while calls keep failing (with how many failed), and one line when every operation that
/// failed has succeeded again. A Redis outage of a few seconds is three lines per process, not one
/// stack trace per failed call per worker; the stack trace of the first failure goes to Debug.
/// </summary>
internal sealed partial class StorageFaults(ILogger logger, TimeProvider time)
{
    private static readonly TimeSpan ReportEvery = TimeSpan.FromMinutes(1);
    private readonly Lock gate = new();
    private int failing;                   // a bit per StorageOperation; read without the lock on the hot path
    private long startedAt, reportedAt;
    private long failuresSinceReport, failuresInFault;

    /// <summary>Whether some operation is failing now.</summary>
    public bool Failing => Volatile.Read(ref failing) != 0;

    /// <summary>Records a failed call of <paramref name="operation"/>.</summary>
    public void Failed(StorageOperation operation, Exception error)
    {
        lock (gate)
        {
            long now = time.GetTimestamp();
            failuresInFault++;
            failuresSinceReport++;
            if (failing == 0)
            {
                startedAt = reportedAt = now;
                failuresSinceReport = 0;
                failing = Bit(operation);
                LogFaultStarted(logger, Describe(operation), error.GetType().Name, Texts.Cut(error.Message));
                LogFaultDetail(logger, error);
                return;
            }
            failing |= Bit(operation);
            if (time.GetElapsedTime(reportedAt, now) >= ReportEvery)
            {
                LogFaultContinues(logger, time.GetElapsedTime(startedAt, now).TotalSeconds, failuresSinceReport, Describe(operation),
                    error.GetType().Name, Texts.Cut(error.Message));
                reportedAt = now;
                failuresSinceReport = 0;
            }
        }
    }

    /// <summary>Records a call of <paramref name="operation"/> that succeeded; free while nothing fails.</summary>
    public void Succeeded(StorageOperation operation)
    {
        if ((Volatile.Read(ref failing) & Bit(operation)) == 0) return;
        lock (gate)
        {
            if ((failing & Bit(operation)) == 0) return;
            failing &= ~Bit(operation);
            if (failing != 0) return;
            LogFaultEnded(logger, time.GetElapsedTime(startedAt).TotalSeconds, failuresInFault);
            failuresInFault = 0;
        }
    }

    private static int Bit(StorageOperation operation) => 1 << (int)operation;

    private static string Describe(StorageOperation operation) => operation switch
    {
        StorageOperation.Connect => "connect",
        StorageOperation.Take => "take tasks",
        StorageOperation.Settle => "store results",
        StorageOperation.RunTask => "check revocations",
        StorageOperation.Heartbeat => "write the heartbeat",
        StorageOperation.Reap => "hand back tasks of silent consumers",
        StorageOperation.Promote => "move due scheduled tasks",
        StorageOperation.Periodic => "fire periodic tasks",
        StorageOperation.Recurring => "run recurring tasks",
        StorageOperation.WatchCancels => "read cancel requests",
        _ => operation.ToString(),
    };

    [LoggerMessage(30, LogLevel.Warning, "Storage failing: could not {Operation} ({ErrorType}: {Error}); retrying with back-off, a report every minute while it lasts")]
    private static partial void LogFaultStarted(ILogger logger, string operation, string errorType, string error);

    [LoggerMessage(31, LogLevel.Debug, "The first storage failure in full")]
    private static partial void LogFaultDetail(ILogger logger, Exception error);

    [LoggerMessage(32, LogLevel.Warning, "Storage still failing after {Seconds:0} s: {Failures} failed calls in the last minute, the latest to {Operation} ({ErrorType}: {Error})")]
    private static partial void LogFaultContinues(ILogger logger, double seconds, long failures, string operation, string errorType, string error);

    [LoggerMessage(33, LogLevel.Information, "Storage back after {Seconds:0.0} s ({Failures} failed calls)")]
    private static partial void LogFaultEnded(ILogger logger, double seconds, long failures);
}
