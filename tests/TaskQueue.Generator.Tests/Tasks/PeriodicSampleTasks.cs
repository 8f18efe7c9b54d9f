using TaskQueue.Scheduling;

namespace TaskQueue.Generator.Tests.Tasks;

/// <summary>Periodic tasks of this test assembly: their stubs are generated in the real build, as for a user.</summary>
public static class PeriodicSampleTasks
{
    public static int Backups;

    [PeriodicTask("0 3 * * *", TimeZone = "Europe/Berlin")]
    public static void Backup() => Interlocked.Increment(ref Backups);

    [PeriodicTask("*/10 * * * * *", Name = "tests.poll", Queue = "polling", Retries = 1, RetryDelaySeconds = 2, MissedRuns = MissedRunPolicy.RunOnce)]
    public static async Task<string> Poll(TaskContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(1, cancellationToken);
        return context.TaskName;
    }
}
