using Microsoft.Extensions.Logging;

namespace TaskQueue.Consumer;

/// <content>The app's startup and shutdown hooks, run in every worker (<see cref="TaskHooks.OnStartup"/>, <see cref="TaskHooks.OnShutdown"/>).</content>
public sealed partial class TaskConsumer
{
    /// <summary>Runs worker <paramref name="index"/>: its startup hooks, then its loop until stopped, then its shutdown hooks.</summary>
    private async Task RunWorkerAsync(WorkerLoop worker, int index, CancellationToken stoppingToken)
    {
        var hooks = app.Hooks;
        if (hooks.StartupHooks.Count == 0 && hooks.ShutdownHooks.Count == 0)
        {
            await worker.RunAsync(stoppingToken).ConfigureAwait(false);
            return;
        }
        await Task.Yield();
        var context = new TaskWorkerContext(app, ConsumerId, index);
        // Checkpoint: the worker takes nothing before its startup hooks have run.
        await RunHooksAsync("startup", hooks.StartupHooks, context).ConfigureAwait(false);
        try
        {
            await worker.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            // Checkpoint: what the worker took is settled or handed back; its resources may go.
            await RunHooksAsync("shutdown", hooks.ShutdownHooks, context).ConfigureAwait(false);
        }
    }

    private async Task RunHooksAsync(string kind, IReadOnlyList<TaskHooks.Hook<Func<TaskWorkerContext, CancellationToken, ValueTask>>> hooks,
        TaskWorkerContext context)
    {
        foreach (var hook in hooks)
        {
            try
            {
                await hook.Callback(context, aborting.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogWorkerHookFailed(logger, kind, hook.Name, ConsumerId, context.Worker, e);
            }
        }
    }

    [LoggerMessage(70, LogLevel.Error, "The {Kind} hook {Hook} failed in consumer {ConsumerId}, worker {Worker}; the worker goes on")]
    private static partial void LogWorkerHookFailed(ILogger logger, string kind, string hook, string consumerId, int worker, Exception error);
}
