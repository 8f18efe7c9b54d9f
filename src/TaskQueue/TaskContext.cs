using System.ComponentModel;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace TaskQueue;

/// <summary>
/// What a running task may know about its own run. Declare a parameter of this type on a task
/// method to receive it; it is not part of the payload.
/// </summary>
public sealed class TaskContext : IAsyncDisposable
{
    // One field for three states, so a run's context stays small: the app whose services a scope is
    // made from on first use (a consumer's run), that scope once made, or a provider used as it is
    // (CallLocal, no scope).
    private object? services;

    /// <summary>Creates a context. The executor creates one per run; tests may create their own.</summary>
    public TaskContext(string taskId, string taskName, int retriesLeft, TimeSpan retryDelay, DateTimeOffset? eta = null)
    {
        TaskId = taskId;
        TaskName = taskName;
        RetriesLeft = retriesLeft;
        RetryDelay = retryDelay;
        Eta = eta;
    }

    /// <summary>The id of this task instance (the same across its retries).</summary>
    public string TaskId { get; }

    /// <summary>The task's stable name.</summary>
    public string TaskName { get; }

    /// <summary>How many retries remain if this run fails.</summary>
    public int RetriesLeft { get; }

    /// <summary>
    /// The delay before the next retry if this run fails. With a <see cref="RetryBackoff"/> it grows from one retry to
    /// the next; this is its nominal value, before <see cref="RetryBackoff.Jitter"/> draws the actual wait.
    /// </summary>
    public TimeSpan RetryDelay { get; }

    /// <summary>When the task was scheduled to run, for scheduled tasks and retries.</summary>
    public DateTimeOffset? Eta { get; }

    /// <summary>Data attached by the caller as JSON text (a recurring task's userdata); null when there is none.</summary>
    public string? UserDataJson { get; init; }

    /// <summary>
    /// Data attached by the caller (a recurring task's userdata), parsed; an empty object when there
    /// is none. Each read parses afresh, so changes made here do not travel anywhere.
    /// </summary>
    public JsonObject UserData => RecurringCodec.ParseUserData(UserDataJson);

    /// <summary>The id of the recurring-task record that queued this run; null for other runs.</summary>
    public string? RecurringId { get; init; }

    /// <summary>
    /// The services of the app that runs the task (<see cref="TaskApp.Services"/>), through a scope
    /// made for this run on first use and disposed when the run ends; null when the app has none.
    /// <c>[FromServices]</c> parameters are resolved from it.
    /// </summary>
    public IServiceProvider? Services
    {
        get
        {
            switch (services)
            {
                case AsyncScope made:
                    return made.Scope.ServiceProvider;
                case TaskApp { Services: { } root }:
                    var scope = new AsyncScope(root.CreateAsyncScope());
                    services = scope;
                    return scope.Scope.ServiceProvider;
                case IServiceProvider provider:
                    return provider;
                default:
                    return null;
            }
        }
    }

    /// <summary>For a consumer's run: the app whose services a scope is made from on first use.</summary>
    internal TaskApp? App
    {
        init => services = value;
    }

    private sealed class AsyncScope(AsyncServiceScope scope)
    {
        public AsyncServiceScope Scope { get; } = scope;
    }

    /// <summary>
    /// Resolves the <c>[FromServices]</c> parameter <paramref name="parameter"/> of this task. Called
    /// by generated code.
    /// </summary>
    /// <exception cref="InvalidOperationException">The app has no services, or none of type <typeparamref name="T"/> is registered.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public T GetRequiredService<T>(string parameter) where T : notnull
    {
        var services = Services ?? throw new InvalidOperationException(
            $"Task '{TaskName}' takes a [FromServices] parameter '{parameter}' of type {typeof(T)}, but its app has no services: " +
            "register TaskQueue with services.AddTaskQueue(...) or give the app a service provider (TaskApp.Services).");
        return (T?)services.GetService(typeof(T)) ?? throw new InvalidOperationException(
            $"Task '{TaskName}' takes a [FromServices] parameter '{parameter}' of type {typeof(T)}, and no service of that type is registered.");
    }

    /// <summary>
    /// For a run abandoned at its timeout: the run, which still goes on and may still use its services. The
    /// context is disposed when it ends, not when the executor gives up on it.
    /// </summary>
    internal Task? Abandoned { get; set; }

    /// <summary>Disposes the run's service scope, if one was made (for an abandoned run, once the run ends).</summary>
    public ValueTask DisposeAsync()
    {
        if (Abandoned is { IsCompleted: false } run)
        {
            _ = DisposeAfterAsync(run);
            return ValueTask.CompletedTask;
        }
        if (services is not AsyncScope made) return ValueTask.CompletedTask;
        services = null;
        return made.Scope.DisposeAsync();
    }

    private async Task DisposeAfterAsync(Task run)
    {
        await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Nobody waits for an abandoned run: a service that fails to dispose has nobody to tell.
        }
    }

    /// <summary>A context for <c>CallLocal</c>: a fresh id, no retries, services from <see cref="TaskApp.Current"/> (not scoped).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
    public static TaskContext ForLocalCall(string taskName)
        => new(global::TaskQueue.TaskId.New(), taskName, 0, TimeSpan.Zero) { services = TaskApp.Current.Services };

    /// <summary>
    /// For <c>CallLocal</c> of a task with <c>[FromServices]</c> parameters: resolves one from the
    /// services of <see cref="TaskApp.Current"/> (its root provider: <c>CallLocal</c> makes no scope).
    /// Called by generated code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static T GetLocalService<T>(string taskName, string parameter) where T : notnull
        => ForLocalCall(taskName).GetRequiredService<T>(parameter);

}
