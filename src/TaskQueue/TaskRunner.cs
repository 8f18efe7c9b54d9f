using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TaskQueue.Consumer;
using TaskQueue.Execution;
using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue;

/// <summary>
/// Steps an app's work one piece at a time, for tests of tasks (huey's tests call <c>huey.execute(task, timestamp)</c>):
/// runs the next message of a queue through the consumer's own executor and settles it as a worker does, fires the
/// periodic tasks of a given time, and moves due scheduled messages to their queues. No threads, no consumer, no
/// reflection: what a test sees is what a worker does.
/// </summary>
/// <remarks>
/// <para>
/// Time: what is due, revoked or expired is decided by the storage's clock, as in a consumer. To step at a chosen
/// time, build the app on a fake clock (<c>new TaskApp(timeProvider: time)</c> gives its <see cref="MemoryStorage"/>
/// the same clock) and set it; <see cref="TickPeriodicAsync"/> takes the occurrence's time itself.
/// </para>
/// <para>
/// Pre- and post-execute hooks run; startup and shutdown hooks, which belong to a consumer's workers, do not. The
/// runner takes messages under a consumer id of its own (<see cref="ConsumerId"/>) with a heartbeat of a minute, so
/// that consumers of the same storage leave its runs alone. <see cref="TaskApp.Eager"/> runs tasks at the enqueue
/// instead; a runner is for tests that want to see the queue between the steps.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var app = new TaskApp(timeProvider: time);          // in memory, on a FakeTimeProvider
/// var sum = Add.With(app).Enqueue(1, 2);
/// var runner = new TaskRunner(app);
/// var run = await runner.RunNextAsync();
/// Assert.Equal(TaskEventKind.Finished, run!.Outcome);
/// Assert.Equal(3, await sum.GetAsync(blocking: false));
///
/// var fired = await runner.TickPeriodicAsync(new DateTimeOffset(2026, 3, 1, 3, 0, 0, TimeSpan.Zero));
/// await runner.RunAllAsync();
/// </code>
/// </example>
public sealed class TaskRunner
{
    private static readonly TimeSpan HeartbeatTtl = TimeSpan.FromMinutes(1);
    private const int PromoteLimit = 1000;

    private readonly TaskExecutor executor;
    private readonly PeriodicTicker ticker;

    /// <summary>Creates a runner of <paramref name="app"/>'s work; its periodic tasks are those of <see cref="TaskApp.Tasks"/> now.</summary>
    /// <param name="app">The app.</param>
    /// <param name="loggerFactory">Where the executor's logs go (a run's failure, a hook's exception); nowhere when null.</param>
    public TaskRunner(TaskApp app, ILoggerFactory? loggerFactory = null)
    {
        App = app ?? throw new ArgumentNullException(nameof(app));
        var factory = loggerFactory ?? NullLoggerFactory.Instance;
        executor = new TaskExecutor(app, factory.CreateLogger<TaskExecutor>());
        ticker = new PeriodicTicker(app, app.Tasks.All, factory.CreateLogger<PeriodicTicker>());
        ConsumerId = $"runner:{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
    }

    /// <summary>The app whose work it steps.</summary>
    public TaskApp App { get; }

    /// <summary>The consumer id its takes are recorded under.</summary>
    public string ConsumerId { get; }

    /// <summary>
    /// Takes the next message of <paramref name="queue"/> (its highest priority first), runs it as a worker would
    /// (decoding, revocation check, hooks, the task, retries, results, dead letters) and settles it; returns what it
    /// came to, or null when the queue is empty. Events are published as a consumer publishes them.
    /// </summary>
    /// <param name="queue">The queue; <c>default</c> by default.</param>
    /// <param name="cancellationToken">Fires the run's token: the run ends as a consumer's stop would end it (handed back).</param>
    public async ValueTask<TaskRun?> RunNextAsync(string queue = TaskDescriptor.DefaultQueue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        var storage = App.Storage;
        await storage.HeartbeatAsync(ConsumerId, HeartbeatTtl, cancellationToken).ConfigureAwait(false);
        var batch = await storage.TakeAsync([queue], ConsumerId, 1, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        if (batch.Messages.Count == 0) return null;
        var taken = batch.Messages[0];
        var (id, name) = Identify(taken);
        var events = new List<TaskEvent>();
        Completion completion;
        using (App.Events.Subscribe(e =>
        {
            if (e.TaskId != id) return;
            lock (events) events.Add(e);
        }))
        {
            try
            {
                completion = await executor.ExecuteAsync(taken, batch.RevocationsVersion, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // A storage error on the way (the revocation check): the message goes back, as a worker hands it back.
                await storage.CompleteAsync(ConsumerId, [Completion.Interrupted(taken)], CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            await storage.CompleteAsync(ConsumerId, [completion], cancellationToken).ConfigureAwait(false);
            if (completion.AfterSettle is { } after) App.Events.Publish(after.Kind, after.TaskId, after.TaskName, duration: after.Duration);
        }
        lock (events) return new TaskRun(taken.Queue, id, name, completion, [.. events]);
    }

    /// <summary>
    /// Runs the messages of <paramref name="queue"/> one after another until it is empty, at most
    /// <paramref name="limit"/> of them. Retries without a delay go to the queue's tail, so they run too: a task that
    /// always fails, with 2 retries, runs 3 times. Scheduled messages (retries with a delay among them) wait for
    /// <see cref="PromoteDueAsync"/>.
    /// </summary>
    public async ValueTask<IReadOnlyList<TaskRun>> RunAllAsync(string queue = TaskDescriptor.DefaultQueue, int limit = 1000,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var runs = new List<TaskRun>();
        while (runs.Count < limit && await RunNextAsync(queue, cancellationToken).ConfigureAwait(false) is { } run) runs.Add(run);
        return runs;
    }

    /// <summary>Moves every scheduled message that is due by the storage's clock to its queue, as a consumer's scheduler does; returns how many moved.</summary>
    public async ValueTask<int> PromoteDueAsync(CancellationToken cancellationToken = default)
    {
        int moved = 0;
        while (true)
        {
            var result = await App.Storage.PromoteDueAsync(PromoteLimit, cancellationToken).ConfigureAwait(false);
            moved += result.Moved;
            if (result.Moved < PromoteLimit) return moved;
        }
    }

    /// <summary>
    /// One periodic tick at <paramref name="at"/> (taken to the whole second): queues every periodic task of the app
    /// that has an occurrence then, with the claim consumers use, so that an occurrence fired before (by this runner or
    /// by a consumer) is not fired again; returns what it queued. Run them with <see cref="RunNextAsync"/>.
    /// </summary>
    public async ValueTask<IReadOnlyList<EnqueuedTask>> TickPeriodicAsync(DateTimeOffset at, CancellationToken cancellationToken = default)
        => await ticker.FireAtAsync(at, cancellationToken).ConfigureAwait(false);

    private (string? Id, string? Name) Identify(TakenMessage taken)
    {
        try
        {
            var message = MessageCodec.Decode(App.Open(taken.Body));
            return (message.Id, message.Name);
        }
        catch (TaskPayloadException)
        {
            return (null, null);
        }
    }
}
