using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TaskQueue.Diagnostics;

/// <summary>
/// The names TaskQueue's traces and metrics are published under. With OpenTelemetry:
/// <c>tracing.AddSource(TaskQueueInstrumentation.ActivitySourceName)</c> and
/// <c>metrics.AddMeter(TaskQueueInstrumentation.MeterName)</c> (both are <c>"TaskQueue"</c>).
/// </summary>
/// <remarks>
/// <para>Spans follow the OpenTelemetry messaging conventions: a producer span <c>send &lt;task&gt;</c>
/// per enqueue or schedule and a consumer span <c>process &lt;task&gt;</c> per run, its parent the
/// producer span (or whatever activity was current at the enqueue), carried in the message as W3C
/// trace context. Attributes: <c>messaging.system</c> (<c>taskqueue</c>), <c>messaging.destination.name</c>
/// (the queue), <c>messaging.message.id</c>, <c>messaging.operation.type</c> and
/// <c>messaging.operation.name</c>, <c>taskqueue.task.name</c>, <c>taskqueue.task.retries_left</c>
/// and, on a run, <c>taskqueue.message.deliveries</c>. A failed run records the exception and an
/// error status.</para>
/// <para>Metrics: the counters <c>messaging.client.sent.messages</c>, <c>messaging.client.consumed.messages</c>,
/// <c>taskqueue.tasks.succeeded</c>, <c>taskqueue.tasks.failed</c>, <c>taskqueue.tasks.retried</c>,
/// <c>taskqueue.tasks.dead_lettered</c>, <c>taskqueue.tasks.expired</c>, <c>taskqueue.tasks.timed_out</c>; the histograms <c>messaging.process.duration</c> (run time, s)
/// and <c>taskqueue.task.wait.duration</c> (enqueue to start, s); the gauges <c>taskqueue.queue.depth</c>,
/// <c>taskqueue.scheduled</c>, <c>taskqueue.in_flight</c> and <c>taskqueue.dead_letters</c>, read
/// from storage by running consumers at most every <see cref="GaugeRefreshInterval"/>.</para>
/// <para>Nothing is recorded, and nearly nothing is spent, while nobody listens.</para>
/// </remarks>
public static class TaskQueueInstrumentation
{
    /// <summary>The name of the <see cref="ActivitySource"/>: <c>TaskQueue</c>.</summary>
    public const string ActivitySourceName = "TaskQueue";

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>TaskQueue</c>.</summary>
    public const string MeterName = "TaskQueue";

    /// <summary>How old the gauges' storage figures may be before a consumer reads them again.</summary>
    public static readonly TimeSpan GaugeRefreshInterval = TimeSpan.FromSeconds(5);

    private static readonly string? Version = typeof(TaskQueueInstrumentation).Assembly.GetName().Version?.ToString();

    internal static readonly ActivitySource Source = new(ActivitySourceName, Version);

    internal static readonly Meter Meter = new(MeterName, Version);

    internal static readonly Counter<long> Sent = Meter.CreateCounter<long>("messaging.client.sent.messages", "{message}", "Tasks enqueued or scheduled.");
    internal static readonly Counter<long> Consumed = Meter.CreateCounter<long>("messaging.client.consumed.messages", "{message}", "Tasks taken by a consumer to run.");
    internal static readonly Counter<long> Succeeded = Meter.CreateCounter<long>("taskqueue.tasks.succeeded", "{task}", "Runs that returned.");
    internal static readonly Counter<long> Failed = Meter.CreateCounter<long>("taskqueue.tasks.failed", "{task}", "Runs that threw with no retry left.");
    internal static readonly Counter<long> Retried = Meter.CreateCounter<long>("taskqueue.tasks.retried", "{task}", "Runs that threw and were queued again.");
    internal static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("taskqueue.tasks.dead_lettered", "{task}", "Messages sent to dead letters.");
    internal static readonly Counter<long> Expired = Meter.CreateCounter<long>("taskqueue.tasks.expired", "{task}", "Runs skipped because they had not started by their expiry.");
    internal static readonly Counter<long> TimedOut = Meter.CreateCounter<long>("taskqueue.tasks.timed_out", "{task}", "Runs abandoned because they ignored their token past their timeout and the hard limit after it.");
    internal static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>("messaging.process.duration", "s", "How long runs took.");
    internal static readonly Histogram<double> WaitDuration = Meter.CreateHistogram<double>("taskqueue.task.wait.duration", "s", "From enqueue (or eta) to the start of the run.");

    internal static readonly ObservableGauge<long> QueueDepth =
        Meter.CreateObservableGauge("taskqueue.queue.depth", StorageGauges.QueueDepths, "{task}", "Tasks waiting in a queue.");
    internal static readonly ObservableGauge<long> ScheduledCount =
        Meter.CreateObservableGauge("taskqueue.scheduled", StorageGauges.Scheduled, "{task}", "Tasks waiting in the schedule.");
    internal static readonly ObservableGauge<long> InFlightCount =
        Meter.CreateObservableGauge("taskqueue.in_flight", StorageGauges.InFlight, "{task}", "Tasks taken by consumers and not yet settled.");
    internal static readonly ObservableGauge<long> DeadLetterCount =
        Meter.CreateObservableGauge("taskqueue.dead_letters", StorageGauges.DeadLetters, "{task}", "Messages in dead letters.");
}
