using System.ComponentModel;
using MessagePack;
using TaskQueue.Messages;

namespace TaskQueue;

/// <summary>
/// A call of a task that is not sent yet: the task, its encoded arguments and per-call <see cref="TaskOptions"/>.
/// Generated stubs make the two kinds: <see cref="TaskSignature{TResult}"/> (<c>CountBeans.S(1000)</c>, every argument
/// given) and <see cref="TaskStep{TInput, TResult}"/> (<c>CountBeans.Step()</c>, all but the first, which a pipeline
/// fills with the previous step's result).
/// </summary>
public abstract class TaskCall
{
    private protected TaskCall(TaskDescriptor task, ReadOnlyMemory<byte> arguments, TaskOptions? options)
    {
        Task = task ?? throw new ArgumentNullException(nameof(task));
        Arguments = arguments;
        Options = options;
    }

    /// <summary>The task called.</summary>
    public TaskDescriptor Task { get; }

    /// <summary>The encoded arguments given now (for a step, those after the first).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ReadOnlyMemory<byte> Arguments { get; }

    /// <summary>Settings of this call that override the task's defaults; null keeps them all.</summary>
    public TaskOptions? Options { get; }

    /// <summary>Whether the call's first argument comes from what runs before it.</summary>
    internal abstract bool TakesInput { get; }

    /// <summary>The priority of the call's run.</summary>
    internal int Priority => Options?.Priority ?? Task.Priority;

    /// <summary>The call's result read as an object, for untyped group handles.</summary>
    internal abstract object? ReadBoxed(ref MessagePackReader reader);

    /// <inheritdoc />
    public override string ToString() => Task.Name;
}

/// <summary>A call whose task returns <typeparamref name="TResult"/>: what its result handles read.</summary>
/// <typeparam name="TResult">What the task returns (<see cref="NoResult"/> for a task that returns nothing).</typeparam>
public abstract class TaskCall<TResult> : TaskCall
{
    private protected TaskCall(TaskDescriptor task, ReadOnlyMemory<byte> arguments, ResultReader<TResult> reader, TaskOptions? options)
        : base(task, arguments, options)
        => Reader = reader ?? throw new ArgumentNullException(nameof(reader));

    internal ResultReader<TResult> Reader { get; }

    internal override object? ReadBoxed(ref MessagePackReader reader) => Reader(ref reader);
}

/// <summary>
/// A call of a task with all its arguments, not sent yet (huey's <c>task.s(...)</c>): enqueue or schedule it, chain
/// steps after it with <see cref="Then{TNext}(TaskStep{TResult, TNext})"/>, or gather many in a <see cref="TaskGroup{TResult}"/>.
/// </summary>
/// <typeparam name="TResult">What the task returns (<see cref="NoResult"/> for a task that returns nothing).</typeparam>
public sealed class TaskSignature<TResult> : TaskCall<TResult>
{
    /// <summary>Creates a signature. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public TaskSignature(TaskDescriptor task, ReadOnlyMemory<byte> arguments, ResultReader<TResult> reader, TaskOptions? options = null)
        : base(task, arguments, reader, options)
    {
    }

    internal override bool TakesInput => false;

    /// <summary>The same call with <paramref name="options"/> (expiry, timeout, priority, retries, deduplication...).</summary>
    public TaskSignature<TResult> WithOptions(TaskOptions options)
        => new(Task, Arguments, Reader, options ?? throw new ArgumentNullException(nameof(options)));

    /// <summary>A pipeline: this call, then <paramref name="step"/> with this call's result as its first argument.</summary>
    public TaskPipeline<TNext> Then<TNext>(TaskStep<TResult, TNext> step) => new TaskPipeline<TResult>(this).Then(step);

    /// <summary>A pipeline: this call, then <paramref name="next"/>, which does not take this call's result.</summary>
    public TaskPipeline<TNext> Then<TNext>(TaskSignature<TNext> next) => new TaskPipeline<TResult>(this).Then(next);

    /// <summary>A pipeline of this call alone, with <paramref name="handler"/> run if it fails after its retries (it gets the error first).</summary>
    public TaskPipeline<TResult> Error<THandled>(TaskStep<TaskError, THandled> handler) => new TaskPipeline<TResult>(this).Error(handler);

    /// <summary>Enqueues the call on <paramref name="app"/> (<see cref="TaskApp.Current"/> when null).</summary>
    /// <returns>A handle on the run.</returns>
    public async ValueTask<TaskResult<TResult>> EnqueueAsync(TaskApp? app = null, CancellationToken cancellationToken = default)
        => (await new TaskPipeline<TResult>(this).EnqueueAsync(app, cancellationToken).ConfigureAwait(false)).Result;

    /// <inheritdoc cref="EnqueueAsync"/>
    public TaskResult<TResult> Enqueue(TaskApp? app = null) => Sync.Wait(EnqueueAsync(app));

    /// <summary>Schedules the call on <paramref name="app"/> after <paramref name="delay"/> or at <paramref name="eta"/>; give exactly one.</summary>
    /// <exception cref="ArgumentException">Neither or both of <paramref name="delay"/> and <paramref name="eta"/> were given.</exception>
    public async ValueTask<TaskResult<TResult>> ScheduleAsync(TimeSpan? delay = null, DateTimeOffset? eta = null, TaskApp? app = null,
        CancellationToken cancellationToken = default)
        => (await new TaskPipeline<TResult>(this).ScheduleAsync(delay, eta, app, cancellationToken).ConfigureAwait(false)).Result;
}

/// <summary>
/// A call of a task with every argument but the first, which is the result of what runs before it in a pipeline
/// (or, for an error step, the <see cref="TaskError"/>). Only a step whose <typeparamref name="TInput"/> is what the
/// previous call returns can follow it: a mismatch does not compile.
/// </summary>
/// <typeparam name="TInput">The type of the task's first parameter.</typeparam>
/// <typeparam name="TResult">What the task returns.</typeparam>
public sealed class TaskStep<TInput, TResult> : TaskCall<TResult>
{
    /// <summary>Creates a step. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public TaskStep(TaskDescriptor task, ReadOnlyMemory<byte> restArguments, ResultReader<TResult> reader, TaskOptions? options = null)
        : base(task, restArguments, reader, options)
    {
    }

    internal override bool TakesInput => true;

    /// <summary>The same step with <paramref name="options"/>.</summary>
    public TaskStep<TInput, TResult> WithOptions(TaskOptions options)
        => new(Task, Arguments, Reader, options ?? throw new ArgumentNullException(nameof(options)));
}

/// <summary>The result of a task that returns nothing, in a typed pipeline or group.</summary>
public readonly record struct NoResult
{
    /// <summary>Reads a result of a task that returns nothing. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static NoResult Read(ref MessagePackReader reader)
    {
        reader.Skip();
        return default;
    }
}
