namespace TaskQueue;

/// <summary>Makes groups of calls that run in parallel (huey's <c>group</c>; generated stubs also have <c>Map</c>).</summary>
public static class TaskGroup
{
    /// <summary>A group of calls of tasks that return the same type: its results read as a typed list, and it can lead a chord.</summary>
    public static TaskGroup<TResult> Of<TResult>(params IEnumerable<TaskSignature<TResult>> members) => new(members);

    /// <summary>A group of calls of any tasks: its results read as objects, in order.</summary>
    public static TaskGroup<object?> OfAny(params IEnumerable<TaskCall> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var list = members.ToArray();
        foreach (var m in list)
        {
            ArgumentNullException.ThrowIfNull(m, nameof(members));
            if (m.TakesInput) throw new ArgumentException($"the call of {m.Task.Name} is a step (it lacks its first argument); a group takes whole calls", nameof(members));
        }
        return new TaskGroup<object?>(list, boxed: true);
    }
}

/// <summary>
/// Calls that run in parallel, on whichever workers serve their queues. <see cref="EnqueueAsync"/> sends them all;
/// <c>Then(...)</c> makes a chord: a callback that runs once with every member's result, when the last member finished.
/// </summary>
/// <typeparam name="TResult">What each member returns.</typeparam>
public sealed class TaskGroup<TResult>
{
    internal TaskGroup(IEnumerable<TaskSignature<TResult>> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        Members = members.ToArray();
        foreach (var m in Members) ArgumentNullException.ThrowIfNull(m, nameof(members));
        if (Members.Count == 0) throw new ArgumentException("a group needs at least one member", nameof(members));
    }

    internal TaskGroup(IReadOnlyList<TaskCall> members, bool boxed)
    {
        if (members.Count == 0) throw new ArgumentException("a group needs at least one member", nameof(members));
        Members = members;
        Boxed = boxed;
    }

    /// <summary>The calls, in order.</summary>
    public IReadOnlyList<TaskCall> Members { get; }

    /// <summary>Whether the members' results are read as objects (a group of different tasks).</summary>
    internal bool Boxed { get; }

    /// <summary>Sends every member to <paramref name="app"/> (<see cref="TaskApp.Current"/> when null), in one round trip per queue.</summary>
    public async ValueTask<GroupResult<TResult>> EnqueueAsync(TaskApp? app = null, CancellationToken cancellationToken = default)
    {
        app ??= TaskApp.Current;
        var ids = await app.SendGroupAsync(Members, chord: null, cancellationToken).ConfigureAwait(false);
        return new GroupResult<TResult>(app, this, ids);
    }

    /// <inheritdoc cref="EnqueueAsync"/>
    public GroupResult<TResult> Enqueue(TaskApp? app = null) => Sync.Wait(EnqueueAsync(app));

    /// <summary>A chord: the members, then <paramref name="callback"/> once with all their results in member order.</summary>
    public TaskChord<TResult, TNext> Then<TNext>(TaskStep<TResult[], TNext> callback) => new(this, callback, null);

    /// <inheritdoc cref="Then{TNext}(TaskStep{TResult[], TNext})"/>
    public TaskChord<TResult, TNext> Then<TNext>(TaskStep<List<TResult>, TNext> callback) => new(this, callback, null);

    /// <inheritdoc cref="Then{TNext}(TaskStep{TResult[], TNext})"/>
    public TaskChord<TResult, TNext> Then<TNext>(TaskStep<IReadOnlyList<TResult>, TNext> callback) => new(this, callback, null);

    /// <inheritdoc cref="Then{TNext}(TaskStep{TResult[], TNext})"/>
    public TaskChord<TResult, TNext> Then<TNext>(TaskStep<IList<TResult>, TNext> callback) => new(this, callback, null);

    /// <inheritdoc cref="Then{TNext}(TaskStep{TResult[], TNext})"/>
    public TaskChord<TResult, TNext> Then<TNext>(TaskStep<IEnumerable<TResult>, TNext> callback) => new(this, callback, null);
}

/// <summary>
/// A group and a callback that runs once with all the members' results, once the last member finished: exactly once
/// across workers, also when members are retried or their workers die. If a member fails after its retries, the
/// callback does not run; the chord's error step (<see cref="Error{THandled}"/>) runs with the first member error
/// instead, and reading the callback's result throws <see cref="TaskFailedException"/> naming the member.
/// </summary>
/// <typeparam name="TMember">What each member returns.</typeparam>
/// <typeparam name="TResult">What the callback returns.</typeparam>
public sealed class TaskChord<TMember, TResult>
{
    internal TaskChord(TaskGroup<TMember> group, TaskCall callback, TaskCall? onError)
    {
        if (group.Boxed) throw new ArgumentException("a chord needs a group of calls that return the same type (TaskGroup.Of)", nameof(group));
        Group = group;
        Callback = callback ?? throw new ArgumentNullException(nameof(callback));
        OnError = onError;
    }

    /// <summary>The members.</summary>
    public TaskGroup<TMember> Group { get; }

    /// <summary>The callback.</summary>
    public TaskCall Callback { get; }

    internal TaskCall? OnError { get; }

    /// <summary>This chord with <paramref name="handler"/> run if a member fails after its retries (it gets that member's error first).</summary>
    public TaskChord<TMember, TResult> Error<THandled>(TaskStep<Messages.TaskError, THandled> handler)
        => new(Group, Callback, handler ?? throw new ArgumentNullException(nameof(handler)));

    /// <summary>Sends every member to <paramref name="app"/> (<see cref="TaskApp.Current"/> when null); the callback follows once they are done.</summary>
    public async ValueTask<ChordResult<TMember, TResult>> EnqueueAsync(TaskApp? app = null, CancellationToken cancellationToken = default)
    {
        app ??= TaskApp.Current;
        var (memberIds, callbackId) = await app.SendChordAsync(Group.Members, Callback, OnError, cancellationToken).ConfigureAwait(false);
        var members = new GroupResult<TMember>(app, Group, memberIds);
        var result = new TaskResult<TResult>(app, callbackId, Callback.Task.Name, PipelineResult<TResult>.ReaderOf<TResult>(Callback));
        return new ChordResult<TMember, TResult>(members, result);
    }

    /// <inheritdoc cref="EnqueueAsync"/>
    public ChordResult<TMember, TResult> Enqueue(TaskApp? app = null) => Sync.Wait(EnqueueAsync(app));
}

/// <summary>Handles on a sent group: each member's, and all results in order.</summary>
/// <typeparam name="TResult">What each member returns.</typeparam>
public sealed class GroupResult<TResult>
{
    internal GroupResult(TaskApp app, TaskGroup<TResult> group, IReadOnlyList<string> ids)
    {
        var members = new TaskResult<TResult>[ids.Count];
        for (int i = 0; i < members.Length; i++)
        {
            var call = group.Members[i];
            ResultReader<TResult> reader = group.Boxed
                ? (ResultReader<TResult>)(object)new ResultReader<object?>((ref MessagePack.MessagePackReader r) => call.ReadBoxed(ref r))
                : PipelineResult<TResult>.ReaderOf<TResult>(call);
            members[i] = new TaskResult<TResult>(app, ids[i], call.Task.Name, reader);
        }
        Members = members;
    }

    /// <summary>The handle on each member's run, in order.</summary>
    public IReadOnlyList<TaskResult<TResult>> Members { get; }

    /// <summary>The ids of the members' runs, in order.</summary>
    public IReadOnlyList<string> Ids => Members.Select(m => m.Id).ToArray();

    /// <summary>
    /// Reads every member's result, in member order, waiting for each (huey's <c>ResultGroup.get</c>). Throws
    /// <see cref="TaskFailedException"/> for the first member that failed, <see cref="TaskResultTimeoutException"/> when
    /// <paramref name="timeout"/> (for the whole group) passes.
    /// </summary>
    /// <param name="timeout">How long to wait for all of them; null waits for ever.</param>
    /// <param name="preserve">Keep the stored results after reading them.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async ValueTask<IReadOnlyList<TResult>> GetAsync(TimeSpan? timeout = null, bool preserve = false, CancellationToken cancellationToken = default)
    {
        var results = new TResult[Members.Count];
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < results.Length; i++)
        {
            TimeSpan? left = timeout is { } t ? t - System.Diagnostics.Stopwatch.GetElapsedTime(started) : null;
            if (left is { } l && l < TimeSpan.Zero) left = TimeSpan.Zero;
            results[i] = await Members[i].GetAsync(timeout: left, preserve: preserve, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        return results;
    }
}

/// <summary>Handles on a sent chord: its members' and its callback's.</summary>
/// <typeparam name="TMember">What each member returns.</typeparam>
/// <typeparam name="TResult">What the callback returns.</typeparam>
public sealed class ChordResult<TMember, TResult>
{
    internal ChordResult(GroupResult<TMember> members, TaskResult<TResult> result)
    {
        Members = members;
        Result = result;
    }

    /// <summary>The members' handles.</summary>
    public GroupResult<TMember> Members { get; }

    /// <summary>The callback's handle.</summary>
    public TaskResult<TResult> Result { get; }

    /// <summary>Reads the callback's result (see <see cref="TaskResult{T}.GetAsync"/>).</summary>
    public ValueTask<TResult> GetAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => Result.GetAsync(timeout: timeout, cancellationToken: cancellationToken);
}
