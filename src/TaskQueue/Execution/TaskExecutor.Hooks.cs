using Microsoft.Extensions.Logging;

namespace TaskQueue.Execution;

/// <content>The app's pre- and post-execute hooks around a run (<see cref="TaskHooks"/>).</content>
internal sealed partial class TaskExecutor
{
    /// <summary>
    /// Runs the pre-execute hooks in order: null when the run goes ahead, or the outcome of a run that one of them
    /// cancelled (<see cref="CancelExecutionException"/>). Any other exception is logged and the run goes ahead.
    /// </summary>
    private ValueTask<Outcome?> PreExecuteAsync(TaskContext context, CancellationToken token)
    {
        var hooks = app.Hooks.PreExecuteHooks;
        return hooks.Count == 0 ? default : RunPreExecuteAsync(hooks, context, token);
    }

    private async ValueTask<Outcome?> RunPreExecuteAsync(IReadOnlyList<TaskHooks.Hook<Func<TaskContext, CancellationToken, ValueTask>>> hooks,
        TaskContext context, CancellationToken token)
    {
        foreach (var hook in hooks)
        {
            try
            {
                await hook.Callback(context, token).ConfigureAwait(false);
            }
            catch (CancelExecutionException e)
            {
                LogCancelledByHook(logger, context.TaskName, context.TaskId, hook.Name, e.Retry, e.Message);
                return new Outcome(OutcomeKind.Cancelled, null, e, TimeSpan.Zero);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // The run's token fired (a stop, a cancel): the task meets it at once and ends as it says.
                return null;
            }
            catch (Exception e)
            {
                LogHookFailed(logger, "pre-execute", hook.Name, context.TaskName, context.TaskId, e);
            }
        }
        return null;
    }

    /// <summary>Runs the post-execute hooks with what the run came to; their exceptions are logged.</summary>
    private ValueTask PostExecuteAsync(TaskContext context, Outcome outcome, CancellationToken stopping)
    {
        var hooks = app.Hooks.PostExecuteHooks;
        return hooks.Count == 0 ? default : RunPostExecuteAsync(hooks, context, outcome, stopping);
    }

    private async ValueTask RunPostExecuteAsync(IReadOnlyList<TaskHooks.Hook<Func<TaskContext, TaskRunOutcome, CancellationToken, ValueTask>>> hooks,
        TaskContext context, Outcome outcome, CancellationToken stopping)
    {
        var status = outcome.Kind switch
        {
            OutcomeKind.Succeeded => TaskRunStatus.Succeeded,
            OutcomeKind.Cancelled => TaskRunStatus.Cancelled,
            OutcomeKind.Interrupted => TaskRunStatus.Interrupted,
            _ => TaskRunStatus.Failed,
        };
        var seen = new TaskRunOutcome(status, outcome.Result, outcome.Error, outcome.Duration);
        foreach (var hook in hooks)
        {
            try
            {
                await hook.Callback(context, seen, stopping).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogHookFailed(logger, "post-execute", hook.Name, context.TaskName, context.TaskId, e);
            }
        }
    }

    [LoggerMessage(61, LogLevel.Error, "The {Kind} hook {Hook} failed for task {TaskName} ({TaskId}); the run goes on")]
    private static partial void LogHookFailed(ILogger logger, string kind, string hook, string taskName, string taskId, Exception error);

    [LoggerMessage(62, LogLevel.Warning, "Task {TaskName} ({TaskId}) cancelled by pre-execute hook {Hook} (retry: {Retry}): {Reason}")]
    private static partial void LogCancelledByHook(ILogger logger, string taskName, string taskId, string hook, bool retry, string reason);
}
