namespace TaskQueue.Consumer;

/// <summary>How a <see cref="TaskConsumer"/> runs.</summary>
public sealed class ConsumerOptions
{
    /// <summary>Number of workers, each running one task at a time. Default 1.</summary>
    public int Workers { get; set; } = 1;

    /// <summary>Queues to take from, in priority order. Default: <c>default</c>.</summary>
    public IList<string> Queues { get; set; } = [TaskDescriptor.DefaultQueue];

    /// <summary>This consumer's id in storage (in-flight records and heartbeats). Default: host, process id and a random suffix.</summary>
    public string ConsumerId { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// Most messages one worker takes at once. Larger batches save round trips on short tasks; a
    /// worker hands back what it has not started when a task runs long. Default 16.
    /// </summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>How long a take waits for a message before looking again. Default 1 s.</summary>
    public TimeSpan TakeWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether this consumer moves due scheduled tasks to their queues. Default true.</summary>
    public bool RunScheduler { get; set; } = true;

    /// <summary>
    /// Whether this consumer's ticker enqueues periodic tasks (<see cref="PeriodicTaskAttribute"/>).
    /// Any number of consumers may tick: each occurrence is enqueued once. Default true; the worker's
    /// <c>--no-periodic</c> turns it off.
    /// </summary>
    public bool RunPeriodic { get; set; } = true;

    /// <summary>Whether this consumer runs due recurring-task records (<see cref="RecurringTasks"/>). Default true.</summary>
    public bool RunRecurring { get; set; } = true;

    /// <summary>
    /// How often the consumer looks for due recurring-task records it has not seen yet; a record it
    /// has seen runs at its time, not at the next interval. Default 250 ms.
    /// </summary>
    public TimeSpan RecurringInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a due recurring-task record whose task this worker does not know waits for a worker
    /// that knows it before this one reports and disables it. Default 1 minute.
    /// </summary>
    public TimeSpan UnknownRecurringTaskGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long after it was enqueued a message naming a task this worker does not know is handed
    /// back (every few seconds) for a worker that knows it, before it goes to dead letters: during a
    /// rolling deploy old workers see tasks only new ones have. Zero dead-letters at once. Default 1 minute.
    /// </summary>
    public TimeSpan UnknownTaskGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the scheduler looks for due tasks it has not seen yet; a task it has seen is
    /// promoted when its eta comes, not at the next interval. Default 20 ms.
    /// </summary>
    public TimeSpan SchedulerInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How long a consumer may go without a heartbeat before its in-flight tasks are handed to
    /// others (the visibility timeout). Heartbeats go every third of it. Default 30 s.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many times a task may be handed back (its consumer died, or its run was cut short by a stop
    /// or a storage error) before it goes to dead letters. Default 5.
    /// </summary>
    public int MaxRedeliveries { get; set; } = 5;

    /// <summary>
    /// On stop, how long running tasks may take to finish before their cancellation token fires; a
    /// task still running one second after that is left behind and its message goes back to the
    /// queue (see <see cref="TaskConsumer.AbandonedTasks"/>). Default 30 s.
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The hard limit of a run with a timeout (<see cref="TaskAttribute.TimeoutSeconds"/>, <see cref="TaskOptions.Timeout"/>):
    /// how long after its timeout, when its cancellation token fired, a run that goes on regardless is waited for.
    /// Then it is abandoned: reported (<see cref="TaskEventKind.TimedOut"/>, a warning in the log), its message settled
    /// as a failure (retried while retries remain), and its worker goes on with other messages while the run keeps
    /// going in the background, since .NET cannot stop it. Whatever it ends with then is dropped. Zero abandons a run
    /// at its timeout. Default 10 s.
    /// </summary>
    public TimeSpan TimeoutGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often, while its workers run tasks, the consumer asks storage whether any of them was cancelled by id
    /// (<see cref="TaskApp.CancelAsync"/>): the most a cancel waits before the run's token fires, plus a round trip.
    /// An idle consumer asks nothing. Default 1 s.
    /// </summary>
    public TimeSpan CancelPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A worker that has run tasks for this long since its last settle writes their results before going on. Default 5 ms.</summary>
    public TimeSpan SettleInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How old an in-flight record of this consumer that no worker holds must be before the consumer
    /// hands it back: longer than a take is retried after its reply was lost (45 s).
    /// </summary>
    internal TimeSpan OrphanedTakeAge { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A copy, so that a consumer's options cannot change under it.</summary>
    internal ConsumerOptions Clone()
    {
        var copy = (ConsumerOptions)MemberwiseClone();
        copy.Queues = [.. Queues];
        return copy;
    }

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (Workers < 1) throw new ArgumentOutOfRangeException(nameof(Workers), Workers, "at least one worker is needed");
        if (Queues is null || Queues.Count == 0) throw new ArgumentException("at least one queue is needed", nameof(Queues));
        if (Queues.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("queue names cannot be empty", nameof(Queues));
        if (string.IsNullOrWhiteSpace(ConsumerId)) throw new ArgumentException("the consumer id cannot be empty", nameof(ConsumerId));
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "the batch size must be at least 1");
        if (TakeWait <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TakeWait), TakeWait, "must be positive");
        if (RecurringInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RecurringInterval), RecurringInterval, "must be positive");
        if (UnknownTaskGrace < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(UnknownTaskGrace), UnknownTaskGrace, "cannot be negative");
        if (UnknownRecurringTaskGrace < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(UnknownRecurringTaskGrace), UnknownRecurringTaskGrace, "cannot be negative");
        if (SchedulerInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(SchedulerInterval), SchedulerInterval, "must be positive");
        if (VisibilityTimeout < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(VisibilityTimeout), VisibilityTimeout, "must be at least 1 s");
        if (MaxRedeliveries < 0) throw new ArgumentOutOfRangeException(nameof(MaxRedeliveries), MaxRedeliveries, "cannot be negative");
        if (CancelPollInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CancelPollInterval), CancelPollInterval, "must be positive");
        if (ShutdownGrace < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ShutdownGrace), ShutdownGrace, "cannot be negative");
        if (TimeoutGrace < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TimeoutGrace), TimeoutGrace, "cannot be negative");
    }
}
