namespace TaskQueue;

/// <summary>What a worker's startup and shutdown hooks (<see cref="TaskHooks.OnStartup"/>, <see cref="TaskHooks.OnShutdown"/>) know of the worker.</summary>
public sealed class TaskWorkerContext
{
    private Dictionary<string, object?>? items;

    internal TaskWorkerContext(TaskApp app, string consumerId, int worker)
    {
        App = app;
        ConsumerId = consumerId;
        Worker = worker;
    }

    /// <summary>The app whose tasks the worker runs.</summary>
    public TaskApp App { get; }

    /// <summary>The id of the worker's consumer.</summary>
    public string ConsumerId { get; }

    /// <summary>The worker's number in its consumer, from 0.</summary>
    public int Worker { get; }

    /// <summary>The app's services (<see cref="TaskApp.Services"/>), not scoped; null when it has none.</summary>
    public IServiceProvider? Services => App.Services;

    /// <summary>
    /// The worker's own state, as huey users keep a connection per worker: what its startup hooks put here, its
    /// shutdown hooks find. Not shared with other workers.
    /// </summary>
    public IDictionary<string, object?> Items => items ??= new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override string ToString() => $"{ConsumerId} worker {Worker}";
}
