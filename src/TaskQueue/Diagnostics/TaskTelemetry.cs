using System.Diagnostics;
using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue.Diagnostics;

/// <summary>
/// Where the client, the executor and the consumer record spans and metrics (names and attributes
/// are listed on <see cref="TaskQueueInstrumentation"/>). Every member costs a field read or two
/// while nobody listens.
/// </summary>
internal static class TaskTelemetry
{
    private const string SystemName = "taskqueue";
    private static readonly KeyValuePair<string, object?> SystemTag = new("messaging.system", SystemName);

    /// <summary>A producer span for sending <paramref name="task"/> (null while nobody listens).</summary>
    public static Activity? StartSend(TaskDescriptor task, string operation)
    {
        var source = TaskQueueInstrumentation.Source;
        if (!source.HasListeners()) return null;
        var activity = source.StartActivity("send " + task.Name, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", SystemName);
            activity.SetTag("messaging.destination.name", task.Queue);
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.operation.name", operation);
            activity.SetTag("taskqueue.task.name", task.Name);
        }
        return activity;
    }

    /// <summary>Tags a producer span with the message it sent.</summary>
    public static void Sending(Activity? activity, TaskMessage message)
    {
        if (activity is not { IsAllDataRequested: true }) return;
        activity.SetTag("messaging.message.id", message.Id);
        activity.SetTag("taskqueue.task.retries_left", message.Retries);
    }

    /// <summary>
    /// The W3C trace context a new message carries: that of <paramref name="activity"/>, else of
    /// whatever activity is current (a web request's, say), so a trace continues even when nobody
    /// listens to TaskQueue's own spans.
    /// </summary>
    public static (string? Parent, string? State) ContextFor(Activity? activity)
    {
        var a = activity ?? Activity.Current;
        return a is { IdFormat: ActivityIdFormat.W3C } ? (a.Id, a.TraceStateString) : (null, null);
    }

    public static void Sent(TaskDescriptor task, int count)
    {
        if (!TaskQueueInstrumentation.Sent.Enabled) return;
        TaskQueueInstrumentation.Sent.Add(count, SystemTag, Destination(task.Queue), TaskName(task.Name));
    }

    /// <summary>A consumer span for running <paramref name="message"/>, child of the trace context it carries (null while nobody listens).</summary>
    public static Activity? StartProcess(TaskMessage message, TakenMessage taken)
    {
        var source = TaskQueueInstrumentation.Source;
        if (!source.HasListeners()) return null;
        ActivityContext parent = default;
        if (message.TraceParent is { } traceParent) ActivityContext.TryParse(traceParent, message.TraceState, isRemote: true, out parent);
        var activity = source.StartActivity("process " + message.Name, ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", SystemName);
            activity.SetTag("messaging.destination.name", taken.Queue);
            activity.SetTag("messaging.message.id", message.Id);
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.operation.name", "process");
            activity.SetTag("taskqueue.task.name", message.Name);
            activity.SetTag("taskqueue.task.retries_left", message.Retries);
            activity.SetTag("taskqueue.message.deliveries", taken.Deliveries);
        }
        return activity;
    }

    /// <summary>Counts a taken message and how long it waited since it was created (or due).</summary>
    public static void Consumed(TaskMessage message, string queue, TimeProvider clock)
    {
        if (TaskQueueInstrumentation.Consumed.Enabled)
        {
            TaskQueueInstrumentation.Consumed.Add(1, SystemTag, Destination(queue), TaskName(message.Name));
        }
        if (TaskQueueInstrumentation.WaitDuration.Enabled && (message.Eta ?? message.CreatedAt) is { } since)
        {
            TaskQueueInstrumentation.WaitDuration.Record(Math.Max(0, (clock.GetUtcNow() - since).TotalSeconds), SystemTag, Destination(queue), TaskName(message.Name));
        }
    }

    public static void Succeeded(Activity? activity, string taskName, string queue, TimeSpan duration)
    {
        activity?.SetStatus(ActivityStatusCode.Ok);
        Count(TaskQueueInstrumentation.Succeeded, taskName, queue);
        RecordDuration(taskName, queue, duration, error: null);
    }

    public static void Failed(Activity? activity, string taskName, string queue, Exception error, TimeSpan duration, bool retrying)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
            activity.AddException(error);
            activity.SetTag("error.type", error.GetType().FullName);
        }
        Count(retrying ? TaskQueueInstrumentation.Retried : TaskQueueInstrumentation.Failed, taskName, queue);
        RecordDuration(taskName, queue, duration, error);
    }

    public static void DeadLettered(Activity? activity, string? taskName, string queue, string reason)
    {
        activity?.SetStatus(ActivityStatusCode.Error, reason);
        Count(TaskQueueInstrumentation.DeadLettered, taskName ?? "", queue);
    }

    private static void Count(System.Diagnostics.Metrics.Counter<long> counter, string taskName, string queue)
    {
        if (counter.Enabled) counter.Add(1, SystemTag, Destination(queue), TaskName(taskName));
    }

    private static void RecordDuration(string taskName, string queue, TimeSpan duration, Exception? error)
    {
        var histogram = TaskQueueInstrumentation.RunDuration;
        if (!histogram.Enabled) return;
        if (error is null) histogram.Record(duration.TotalSeconds, SystemTag, Destination(queue), TaskName(taskName));
        else histogram.Record(duration.TotalSeconds, SystemTag, Destination(queue), TaskName(taskName), new("error.type", error.GetType().FullName));
    }

    private static KeyValuePair<string, object?> Destination(string queue) => new("messaging.destination.name", queue);

    private static KeyValuePair<string, object?> TaskName(string name) => new("taskqueue.task.name", name);
}
