using TaskQueue.Consumer;

namespace TaskQueue.Hosting;

/// <summary>
/// How the hosted consumer of <c>services.AddTaskQueueWorker(...)</c> runs. Bound from the
/// <c>TaskQueue:Worker</c> configuration section first (keys named as the properties:
/// <c>Workers</c>, <c>Queues</c>, <c>ShutdownGrace</c> as <c>00:00:30</c>, ...), then changed by
/// the delegate; checked when the host starts.
/// </summary>
public sealed class TaskQueueWorkerOptions
{
    /// <summary>The configuration section the options are read from: <c>TaskQueue:Worker</c>.</summary>
    public const string SectionName = "TaskQueue:Worker";

    /// <summary>Tasks run at once. Default 1.</summary>
    public int Workers { get; set; } = 1;

    /// <summary>Queues to take from, first has priority. Default <c>default</c>.</summary>
    public IList<string> Queues { get; set; } = [TaskDescriptor.DefaultQueue];

    /// <summary>The consumer's id in storage; host, process id and a random suffix when null.</summary>
    public string? Name { get; set; }

    /// <summary>Most tasks one worker takes at once. Default 16.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>
    /// How long running tasks get to finish when the host stops; then their cancellation tokens fire
    /// and what is left goes back to its queue. Null (the default) takes the host's shutdown timeout
    /// less 5 s for the hand-back (25 s with the host's defaults); a longer value is cut to that, with
    /// a warning (raise <c>HostOptions.ShutdownTimeout</c> to give tasks more).
    /// </summary>
    public TimeSpan? ShutdownGrace { get; set; }

    /// <summary>How long a silent consumer's tasks stay in flight before others take them. Default 30 s.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a run that ignores its timeout's token is waited for before it is abandoned and its slot given back. Default 10 s.</summary>
    public TimeSpan TimeoutGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a message may be handed back after its consumer died before it goes to dead letters. Default 5.</summary>
    public int MaxRedeliveries { get; set; } = 5;

    /// <summary>How long a message naming a task this worker does not know is handed back for one that knows it before it goes to dead letters (rolling deploys). Default 1 minute.</summary>
    public TimeSpan UnknownTaskGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether this consumer fires periodic tasks (each occurrence runs once however many do). Default true.</summary>
    public bool Periodic { get; set; } = true;

    /// <summary>Whether this consumer runs due recurring-task records. Default true.</summary>
    public bool Recurring { get; set; } = true;

    /// <summary>Whether this consumer moves due scheduled tasks to their queues. Default true.</summary>
    public bool Scheduler { get; set; } = true;

    /// <summary>Values from configuration that did not parse, each naming its key.</summary>
    internal List<string> ConfigurationErrors { get; } = [];

    /// <summary>The consumer options these settings describe.</summary>
    internal ConsumerOptions ToConsumerOptions(TimeSpan? grace)
    {
        var options = new ConsumerOptions
        {
            Workers = Workers,
            Queues = [.. Queues],
            BatchSize = BatchSize,
            ShutdownGrace = grace ?? TimeSpan.FromSeconds(30),
            VisibilityTimeout = VisibilityTimeout,
            TimeoutGrace = TimeoutGrace,
            MaxRedeliveries = MaxRedeliveries,
            UnknownTaskGrace = UnknownTaskGrace,
            RunPeriodic = Periodic,
            RunRecurring = Recurring,
            RunScheduler = Scheduler,
        };
        if (!string.IsNullOrWhiteSpace(Name)) options.ConsumerId = Name;
        return options;
    }
}
