namespace TaskQueue.Execution;

/// <summary>
/// The runs an executor has going, each with the token its task gets: the consumer's stop token linked to a source
/// of the run's own, which a cancel by id (<see cref="TaskApp.CancelAsync"/>) fires. The consumer's cancel watch
/// reads the ids and fires the runs whose cancel was requested.
/// </summary>
/// <remarks>
/// A run that nobody cancelled gives its linked source back for the next run on the same stop token, so that the
/// path without cancels allocates nothing in the steady state and makes no storage call. A run that was cancelled,
/// or whose stop token fired, never gives its source back: a late cancel can only reach the run it was meant for.
/// </remarks>
internal sealed class RunningTasks
{
    /// <summary>The most sources kept for reuse: more than a consumer has workers, so that each finds one.</summary>
    private const int MaxPooled = 64;

    private readonly Lock gate = new();
    private readonly HashSet<Run> runs = [];
    private readonly Stack<Run> pool = new();

    /// <summary>Records a run of <paramref name="taskId"/> until the returned run is disposed; its token fires with <paramref name="stopping"/> or on a cancel.</summary>
    public Run Begin(string taskId, CancellationToken stopping)
    {
        Run? stale = null;
        Run? run = null;
        lock (gate)
        {
            if (pool.TryPop(out var pooled))
            {
                if (pooled.Stopping == stopping) run = pooled;
                else stale = pooled;
            }
            run ??= new Run(this, stopping);
            run.TaskId = taskId;
            runs.Add(run);
        }
        stale?.DisposeSource();
        return run;
    }

    /// <summary>The ids of the runs going on whose cancel has not been requested yet, each once.</summary>
    public IReadOnlyList<string> Ids()
    {
        lock (gate)
        {
            if (runs.Count == 0) return [];
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var run in runs)
            {
                if (!run.CancelRequested) ids.Add(run.TaskId);
            }
            return [.. ids];
        }
    }

    /// <summary>Fires the tokens of the runs of <paramref name="taskIds"/> that are going on; returns how many it fired.</summary>
    public int Cancel(IReadOnlyCollection<string> taskIds)
    {
        if (taskIds.Count == 0) return 0;
        var wanted = taskIds as IReadOnlySet<string> ?? new HashSet<string>(taskIds, StringComparer.Ordinal);
        List<Run>? hit = null;
        lock (gate)
        {
            // Marked under the lock that ends runs: a run ended before this cannot be marked, and one marked is never reused.
            foreach (var run in runs)
            {
                if (run.CancelRequested || !wanted.Contains(run.TaskId)) continue;
                run.CancelRequested = true;
                (hit ??= []).Add(run);
            }
        }
        foreach (var run in hit ?? []) run.Fire();
        return hit?.Count ?? 0;
    }

    private void End(Run run)
    {
        lock (gate)
        {
            if (!runs.Remove(run)) return;
            if (!run.CancelRequested && pool.Count < MaxPooled && run.TryReset())
            {
                pool.Push(run);
                return;
            }
        }
        run.DisposeSource();
    }

    /// <summary>One run: its task id and the token its task gets. Dispose it when the run ends.</summary>
    internal sealed class Run : IDisposable
    {
        private readonly RunningTasks owner;
        private readonly CancellationTokenSource source;
        private readonly Lock gate = new();
        private bool disposed;

        public Run(RunningTasks owner, CancellationToken stopping)
        {
            this.owner = owner;
            Stopping = stopping;
            source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            Token = source.Token;
        }

        /// <summary>The task instance's id.</summary>
        public string TaskId { get; set; } = "";

        /// <summary>The stop token the run's token is linked to.</summary>
        public CancellationToken Stopping { get; }

        /// <summary>The token the task gets.</summary>
        public CancellationToken Token { get; }

        /// <summary>Whether a cancel by id fired the token (set, under the owner's lock, before it fires).</summary>
        public bool CancelRequested
        {
            get => Volatile.Read(ref field);
            set => Volatile.Write(ref field, value);
        }

        /// <summary>Fires the token, unless the run's source is gone. The task's callbacks run on the thread pool, not here.</summary>
        public void Fire()
        {
            lock (gate)
            {
                if (!disposed) _ = source.CancelAsync();
            }
        }

        /// <summary>Makes the source ready for another run: false when it was cancelled (its stop token fired).</summary>
        public bool TryReset() => source.TryReset();

        /// <summary>Ends the run: its source goes back for reuse, or is disposed.</summary>
        public void Dispose() => owner.End(this);

        public void DisposeSource()
        {
            lock (gate)
            {
                if (disposed) return;
                disposed = true;
                source.Dispose();
            }
        }
    }
}
