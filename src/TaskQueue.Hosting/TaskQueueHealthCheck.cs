using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TaskQueue.Hosting;

/// <summary>What <c>AddHealthChecks().AddTaskQueue(...)</c> checks beyond storage and heartbeat.</summary>
public sealed class TaskQueueHealthCheckOptions
{
    /// <summary>Report <see cref="HealthCheckRegistration.FailureStatus"/> when dead letters exceed this many; null (the default) does not look.</summary>
    public long? DeadLetterThreshold { get; set; }

    /// <summary>Report failure when a storage round trip takes longer than this. Default 5 s.</summary>
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The TaskQueue health check: the storage answers (with its round-trip time in the data), this
/// process's consumer writes its heartbeat in time (when <c>AddTaskQueueWorker</c> runs one), and
/// dead letters stay under a threshold (when one is set).
/// </summary>
internal sealed class TaskQueueHealthCheck(TaskApp app, IServiceProvider services, TaskQueueHealthCheckOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = context.Registration.FailureStatus;
        var data = new Dictionary<string, object>();
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.StorageTimeout);
            await app.Storage.GetTimeAsync(timeout.Token).AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(failure, $"TaskQueue storage is unreachable: {e.Message}", e, data);
        }
        var roundTrip = Stopwatch.GetElapsedTime(started);
        data["storage.round_trip_ms"] = Math.Round(roundTrip.TotalMilliseconds, 3);

        if (services.GetService<TaskQueueWorkerService>()?.Consumer is { IsRunning: true } consumer)
        {
            var limit = consumer.Options.VisibilityTimeout * 2 / 3;
            if (consumer.SinceLastHeartbeat is not { } age)
            {
                return new HealthCheckResult(HealthStatus.Degraded, "TaskQueue consumer has not written its first heartbeat yet.", data: data);
            }
            data["consumer.heartbeat_age_ms"] = Math.Round(age.TotalMilliseconds);
            if (age > limit)
            {
                return new HealthCheckResult(failure,
                    $"TaskQueue consumer {consumer.ConsumerId} last wrote its heartbeat {age.TotalSeconds:0.#} s ago (limit {limit.TotalSeconds:0.#} s): its tasks may be handed to others.",
                    data: data);
            }
        }

        if (options.DeadLetterThreshold is { } threshold)
        {
            var counts = await app.Storage.CountAsync([], cancellationToken).ConfigureAwait(false);
            data["dead_letters"] = counts.DeadLetters;
            if (counts.DeadLetters > threshold)
            {
                return new HealthCheckResult(failure, $"TaskQueue has {counts.DeadLetters} dead letters (threshold {threshold}).", data: data);
            }
        }
        return HealthCheckResult.Healthy($"TaskQueue storage answered in {roundTrip.TotalMilliseconds:0.###} ms.", data);
    }
}
