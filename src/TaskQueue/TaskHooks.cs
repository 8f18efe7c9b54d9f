namespace TaskQueue;

/// <summary>
/// Code of the application that runs around every task run and in every worker: huey's <c>pre_execute</c>,
/// <c>post_execute</c>, <c>on_startup</c> and <c>on_shutdown</c> hooks. Register them on <see cref="TaskApp.Hooks"/>,
/// before consumers start; each registration returns a handle whose <see cref="IDisposable.Dispose"/> removes it.
/// </summary>
/// <remarks>
/// <list type="bullet">
///   <item><b>Pre-execute</b> hooks run in the worker, in the order registered, after the revocation check and before
///   the task's method (and its <see cref="TaskEventKind.Started"/> event), with the run's <see cref="TaskContext"/>
///   and its cancellation token. One that throws <see cref="CancelExecutionException"/> cancels the run: the method
///   does not start, the hooks after it do not run, and <see cref="TaskEventKind.Cancelled"/> is published. With
///   <see cref="CancelExecutionException.Retry"/> and retries left, the run is retried as a failed one would be (one
///   retry fewer, after its retry delay); otherwise it ends cancelled, not retried, and its error is stored (as a
///   failure's, when <see cref="TaskApp.StoreErrors"/>), so that reading its result throws
///   <see cref="TaskFailedException"/> with <see cref="TaskFailedException.RemoteType"/>
///   <c>TaskQueue.CancelExecutionException</c>. Any other exception is logged and the run goes on (huey's
///   behaviour): a broken hook does not stop the work.</item>
///   <item><b>Post-execute</b> hooks run after the task's method returned or threw, with what it came to
///   (<see cref="TaskRunOutcome"/>), before its result is stored: they cannot change the outcome, and an exception
///   of theirs is logged. They do not run for a run a pre-execute hook cancelled, nor for one whose arguments did
///   not decode.</item>
///   <item><b>Startup</b> hooks run in each worker of each <see cref="Consumer.TaskConsumer"/> (huey runs them per
///   worker) before it takes its first task; <b>shutdown</b> hooks run in each worker once it has stopped and
///   settled what it took. An exception is logged and the worker goes on (or stops) all the same.</item>
/// </list>
/// Pre- and post-execute hooks also run for eager runs (<see cref="TaskApp.Eager"/>) and for those of a
/// <see cref="TaskRunner"/>. A hook runs on the worker's path: keep it short, or each run waits for it.
/// </remarks>
/// <example>
/// <code>
/// app.Hooks.PreExecute((context, ct) =>
///     maintenance.IsOn ? throw new CancelExecutionException(retry: true, reason: "maintenance") : ValueTask.CompletedTask);
/// app.Hooks.PostExecute((context, outcome, ct) =>
/// {
///     if (outcome.Error is { } e) alerts.Send($"{context.TaskName} failed: {e.Message}");
///     return ValueTask.CompletedTask;
/// });
/// app.Hooks.OnStartup(async (worker, ct) => worker.Items["db"] = await Database.OpenAsync(ct));
/// app.Hooks.OnShutdown(async (worker, ct) => await ((Database)worker.Items["db"]!).DisposeAsync());
/// </code>
/// </example>
public sealed class TaskHooks
{
    /// <summary>Each app has one: <see cref="TaskApp.Hooks"/>.</summary>
    internal TaskHooks()
    {
    }

    private readonly HookList<Func<TaskContext, CancellationToken, ValueTask>> preExecute = new();
    private readonly HookList<Func<TaskContext, TaskRunOutcome, CancellationToken, ValueTask>> postExecute = new();
    private readonly HookList<Func<TaskWorkerContext, CancellationToken, ValueTask>> startup = new();
    private readonly HookList<Func<TaskWorkerContext, CancellationToken, ValueTask>> shutdown = new();

    /// <summary>Runs <paramref name="hook"/> before every task run (see <see cref="TaskHooks"/>); it may cancel the run with <see cref="CancelExecutionException"/>.</summary>
    /// <param name="hook">Called with the run's context and cancellation token.</param>
    /// <param name="name">How logs name the hook; by default <c>#</c> and its number among the hooks of its kind.</param>
    /// <returns>A handle that removes the hook when disposed.</returns>
    public IDisposable PreExecute(Func<TaskContext, CancellationToken, ValueTask> hook, string? name = null) => preExecute.Add(hook, name);

    /// <summary>Runs <paramref name="hook"/> after every task run, with what it came to (see <see cref="TaskHooks"/>).</summary>
    /// <param name="hook">Called with the run's context, its outcome, and a token that fires when the consumer stops at once.</param>
    /// <param name="name">How logs name the hook; by default <c>#</c> and its number among the hooks of its kind.</param>
    /// <returns>A handle that removes the hook when disposed.</returns>
    public IDisposable PostExecute(Func<TaskContext, TaskRunOutcome, CancellationToken, ValueTask> hook, string? name = null) => postExecute.Add(hook, name);

    /// <summary>Runs <paramref name="hook"/> in every worker of every consumer before it takes its first task (huey's <c>on_startup</c>).</summary>
    /// <param name="hook">Called with the worker and a token that fires when the consumer stops at once.</param>
    /// <param name="name">How logs name the hook; by default <c>#</c> and its number among the hooks of its kind.</param>
    /// <returns>A handle that removes the hook when disposed (for workers that start later).</returns>
    public IDisposable OnStartup(Func<TaskWorkerContext, CancellationToken, ValueTask> hook, string? name = null) => startup.Add(hook, name);

    /// <summary>Runs <paramref name="hook"/> in every worker of every consumer once it has stopped (huey's <c>on_shutdown</c>).</summary>
    /// <param name="hook">Called with the worker (the same <see cref="TaskWorkerContext"/> its startup hooks had) and a token that fires when the consumer stops at once.</param>
    /// <param name="name">How logs name the hook; by default <c>#</c> and its number among the hooks of its kind.</param>
    /// <returns>A handle that removes the hook when disposed.</returns>
    public IDisposable OnShutdown(Func<TaskWorkerContext, CancellationToken, ValueTask> hook, string? name = null) => shutdown.Add(hook, name);

    internal IReadOnlyList<Hook<Func<TaskContext, CancellationToken, ValueTask>>> PreExecuteHooks => preExecute.Current;

    internal IReadOnlyList<Hook<Func<TaskContext, TaskRunOutcome, CancellationToken, ValueTask>>> PostExecuteHooks => postExecute.Current;

    internal IReadOnlyList<Hook<Func<TaskWorkerContext, CancellationToken, ValueTask>>> StartupHooks => startup.Current;

    internal IReadOnlyList<Hook<Func<TaskWorkerContext, CancellationToken, ValueTask>>> ShutdownHooks => shutdown.Current;

    /// <summary>One registered hook and the name logs give it.</summary>
    internal sealed record Hook<T>(T Callback, string Name);

    /// <summary>The hooks of one kind: an array replaced on every change, so that a run reads them without a lock.</summary>
    private sealed class HookList<T> where T : Delegate
    {
        private readonly Lock gate = new();
        private Hook<T>[] hooks = [];
        private int added;

        public Hook<T>[] Current => Volatile.Read(ref hooks);

        public IDisposable Add(T callback, string? name)
        {
            ArgumentNullException.ThrowIfNull(callback);
            Hook<T> hook;
            lock (gate)
            {
                added++;
                hook = new Hook<T>(callback, name ?? $"#{added}");
                hooks = [.. hooks, hook];
            }
            return new Registration(this, hook);
        }

        private void Remove(Hook<T> hook)
        {
            lock (gate) hooks = Array.FindAll(hooks, h => !ReferenceEquals(h, hook));
        }

        private sealed class Registration(HookList<T> list, Hook<T> hook) : IDisposable
        {
            public void Dispose() => list.Remove(hook);
        }
    }
}
