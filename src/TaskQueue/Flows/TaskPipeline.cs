using TaskQueue.Messages;

namespace TaskQueue;

/// <summary>
/// Calls that run one after another (huey's pipeline): each step starts once the one before it succeeded, on
/// whichever worker serves its queue, and a step made with <c>Step(...)</c> gets the previous result as its first
/// argument. A step that fails after its retries stops the rest and runs its error step, if it has one.
/// </summary>
/// <typeparam name="TResult">What the last step returns.</typeparam>
/// <example>
/// <code>
/// var run = await CountBeans.S(1000).Then(Shout.Step("!")).Error(Report.Step()).EnqueueAsync();
/// string last = await run.Result.GetAsync();
/// </code>
/// </example>
public sealed class TaskPipeline<TResult>
{
    internal TaskPipeline(TaskCall first) => Stages = [new PipelineStage(first, null)];

    private TaskPipeline(IReadOnlyList<PipelineStage> stages) => Stages = stages;

    internal IReadOnlyList<PipelineStage> Stages { get; }

    /// <summary>The calls in order.</summary>
    public IReadOnlyList<TaskCall> Steps => Stages.Select(s => s.Call).ToArray();

    /// <summary>This pipeline, then <paramref name="step"/> with the last result as its first argument.</summary>
    public TaskPipeline<TNext> Then<TNext>(TaskStep<TResult, TNext> step) => Append<TNext>(step);

    /// <summary>This pipeline, then <paramref name="next"/>, which does not take the last result.</summary>
    public TaskPipeline<TNext> Then<TNext>(TaskSignature<TNext> next) => Append<TNext>(next);

    /// <summary>
    /// Sets the error step of the last step so far: if that step fails after its retries, <paramref name="handler"/>
    /// runs with the <see cref="TaskError"/> as its first argument, and the steps after it do not run.
    /// </summary>
    public TaskPipeline<TResult> Error<THandled>(TaskStep<TaskError, THandled> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var stages = Stages.ToArray();
        stages[^1] = stages[^1] with { OnError = handler };
        return new TaskPipeline<TResult>(stages);
    }

    /// <summary>Sends the pipeline's first step to <paramref name="app"/> (<see cref="TaskApp.Current"/> when null).</summary>
    /// <returns>Handles on the last step's result and on each step's.</returns>
    public ValueTask<PipelineResult<TResult>> EnqueueAsync(TaskApp? app = null, CancellationToken cancellationToken = default)
        => SendAsync(app ?? TaskApp.Current, null, null, cancellationToken);

    /// <inheritdoc cref="EnqueueAsync"/>
    public PipelineResult<TResult> Enqueue(TaskApp? app = null) => Sync.Wait(EnqueueAsync(app));

    /// <summary>Schedules the pipeline's first step after <paramref name="delay"/> or at <paramref name="eta"/>; give exactly one.</summary>
    /// <exception cref="ArgumentException">Neither or both of <paramref name="delay"/> and <paramref name="eta"/> were given.</exception>
    public ValueTask<PipelineResult<TResult>> ScheduleAsync(TimeSpan? delay = null, DateTimeOffset? eta = null, TaskApp? app = null,
        CancellationToken cancellationToken = default)
    {
        TaskApp.CheckSchedule(delay, eta);
        return SendAsync(app ?? TaskApp.Current, delay, eta, cancellationToken);
    }

    private async ValueTask<PipelineResult<TResult>> SendAsync(TaskApp app, TimeSpan? delay, DateTimeOffset? eta, CancellationToken cancellationToken)
    {
        var ids = await app.SendPipelineAsync(Stages, chord: null, delay, eta, cancellationToken).ConfigureAwait(false);
        return new PipelineResult<TResult>(app, this, ids);
    }

    private TaskPipeline<TNext> Append<TNext>(TaskCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (Stages.Count >= Flows.TaskFlow.MaxSteps) throw new InvalidOperationException($"a pipeline has at most {Flows.TaskFlow.MaxSteps} steps");
        return new TaskPipeline<TNext>([.. Stages, new PipelineStage(call, null)]);
    }
}

/// <summary>One step of a pipeline and its error step.</summary>
internal sealed record PipelineStage(TaskCall Call, TaskCall? OnError);

/// <summary>Handles on a sent pipeline: <see cref="Result"/> for its last step, <see cref="Of{T}(TaskSignature{T})"/> for any step.</summary>
/// <typeparam name="TResult">What the last step returns.</typeparam>
public sealed class PipelineResult<TResult>
{
    private readonly TaskApp app;
    private readonly TaskPipeline<TResult> pipeline;

    internal PipelineResult(TaskApp app, TaskPipeline<TResult> pipeline, IReadOnlyList<string> ids)
    {
        this.app = app;
        this.pipeline = pipeline;
        Ids = ids;
        var last = pipeline.Stages[^1].Call;
        Result = new TaskResult<TResult>(app, ids[^1], last.Task.Name, ReaderOf<TResult>(last));
    }

    /// <summary>The id of each step's run, in order.</summary>
    public IReadOnlyList<string> Ids { get; }

    /// <summary>The handle on the last step's result. If a step before it fails, reading it throws <see cref="TaskFailedException"/> naming that step.</summary>
    public TaskResult<TResult> Result { get; }

    /// <summary>The handle on the run of <paramref name="step"/>, one of the pipeline's steps.</summary>
    /// <exception cref="ArgumentException"><paramref name="step"/> is not a step of this pipeline.</exception>
    public TaskResult<T> Of<T>(TaskSignature<T> step) => Handle<T>(step);

    /// <inheritdoc cref="Of{T}(TaskSignature{T})"/>
    public TaskResult<T> Of<TInput, T>(TaskStep<TInput, T> step) => Handle<T>(step);

    /// <summary>Reads the last step's result (see <see cref="TaskResult{T}.GetAsync"/>).</summary>
    public ValueTask<TResult> GetAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => Result.GetAsync(timeout: timeout, cancellationToken: cancellationToken);

    private TaskResult<T> Handle<T>(TaskCall step)
    {
        ArgumentNullException.ThrowIfNull(step);
        for (int i = 0; i < pipeline.Stages.Count; i++)
        {
            if (ReferenceEquals(pipeline.Stages[i].Call, step)) return new TaskResult<T>(app, Ids[i], step.Task.Name, ReaderOf<T>(step));
        }
        throw new ArgumentException($"the call of {step.Task.Name} is not a step of this pipeline", nameof(step));
    }

    internal static ResultReader<T> ReaderOf<T>(TaskCall call) => call is TaskCall<T> r
        ? r.Reader
        : throw new InvalidOperationException($"the call of {call.Task.Name} does not return {typeof(T).Name}");
}
