using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using TaskQueue.Messages;
using TaskQueue.Scheduling;

namespace TaskQueue;

/// <summary>
/// The tasks one <see cref="TaskApp"/> knows, by their stable names: what its consumers can run and
/// which periodic tasks their tickers fire. Immutable; <see cref="Registered"/> holds every task the
/// generated code of this process announced, which is what an app uses unless told otherwise.
/// </summary>
/// <example>
/// <code>
/// // a task without arguments made periodic on a schedule built in code (huey's periodic_task(crontab(...)))
/// var app = new TaskApp(storage)
/// {
///     Tasks = TaskCatalog.Registered.WithPeriodic(Backup.Descriptor, new Crontab(hour: "3", minute: "0")),
/// };
/// </code>
/// </example>
public sealed class TaskCatalog
{
    private readonly FrozenDictionary<string, TaskDescriptor> tasks;
    private readonly FrozenDictionary<string, TaskDescriptor>.AlternateLookup<ReadOnlySpan<char>> byChars;

    private TaskCatalog(IEnumerable<TaskDescriptor> descriptors)
    {
        var byName = new Dictionary<string, TaskDescriptor>(StringComparer.Ordinal);
        foreach (var task in descriptors)
        {
            ArgumentNullException.ThrowIfNull(task, nameof(descriptors));
            if (byName.TryGetValue(task.Name, out var other) && !ReferenceEquals(other, task))
            {
                throw new ArgumentException($"Two tasks are named '{task.Name}'; task names must be unique in a catalog.", nameof(descriptors));
            }
            byName[task.Name] = task;
        }
        tasks = byName.ToFrozenDictionary(StringComparer.Ordinal);
        byChars = tasks.GetAlternateLookup<ReadOnlySpan<char>>();
        All = [.. byName.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Every task announced by the generated code of this process: the tasks of the running
    /// assembly and of every assembly it references, as registered when read.
    /// </summary>
    public static TaskCatalog Registered
    {
        get
        {
            // Every app built without a catalog of its own takes this one: build it once per change of the registry.
            var cached = Volatile.Read(ref registered);
            int version = TaskRegistry.Version;
            if (cached is not null && cached.Version == version) return cached.Catalog;
            var fresh = new TaskCatalog(TaskRegistry.Snapshot());
            Volatile.Write(ref registered, new RegisteredSnapshot(version, fresh));
            return fresh;
        }
    }

    private static RegisteredSnapshot? registered;

    private sealed record RegisteredSnapshot(int Version, TaskCatalog Catalog);

    /// <summary>A catalog of exactly <paramref name="tasks"/> (for example a worker that serves some tasks only).</summary>
    /// <exception cref="ArgumentException">Two different tasks share a name.</exception>
    public static TaskCatalog Create(IEnumerable<TaskDescriptor> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return new TaskCatalog(tasks);
    }

    /// <summary>The tasks, ordered by name.</summary>
    public IReadOnlyList<TaskDescriptor> All { get; }

    /// <summary>How many tasks the catalog holds.</summary>
    public int Count => All.Count;

    /// <summary>Finds a task by its stable name.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out TaskDescriptor? task)
    {
        ArgumentNullException.ThrowIfNull(name);
        return tasks.TryGetValue(name, out task);
    }

    /// <summary>
    /// The name of the task whose UTF-8 name is <paramref name="utf8"/>, as the catalog holds it (so a
    /// decoded message shares the string instead of allocating its own), or null.
    /// </summary>
    internal string? FindName(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 256) return null;
        Span<char> chars = stackalloc char[256];
        if (!System.Text.Unicode.Utf8.ToUtf16(utf8, chars, out _, out int written, replaceInvalidSequences: false).Equals(System.Buffers.OperationStatus.Done)) return null;
        return byChars.TryGetValue(chars[..written], out var task) ? task.Name : null;
    }

    /// <summary>
    /// A message's arguments as JSON for people to read: by its task's renderer when the catalog knows the
    /// task (see <see cref="TaskDescriptor.RenderArguments"/>), else without names, from the MessagePack
    /// alone: <c>{"$arguments":[1000,"north"]}</c>. Nothing the message holds makes it throw.
    /// </summary>
    /// <param name="message">The message, for example from <see cref="TaskApp.PendingAsync"/>.</param>
    /// <returns>One JSON object.</returns>
    public string RenderArguments(TaskMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return ArgumentsJson.Render(message.Name is { } name && TryGet(name, out var task) ? task.ArgumentsRenderer : null, message.Arguments);
    }

    /// <summary>Whether the catalog holds a task named <paramref name="name"/>.</summary>
    public bool Contains(string name) => TryGet(name, out _);

    /// <summary>
    /// A catalog like this one in which <paramref name="task"/> is periodic on <paramref name="schedule"/>
    /// (huey's <c>periodic_task(crontab(...))</c>), for example a huey-style <see cref="Crontab"/>.
    /// The task's method must take no arguments (a <see cref="TaskContext"/>, a
    /// <see cref="CancellationToken"/> and services are fine): the ticker enqueues it with none.
    /// </summary>
    /// <exception cref="ArgumentException">The catalog holds another task of the same name.</exception>
    public TaskCatalog WithPeriodic(TaskDescriptor task, ISchedule schedule, MissedRunPolicy missedRuns = MissedRunPolicy.Skip)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(schedule);
        if (tasks.TryGetValue(task.Name, out var existing) && existing.Invoker != task.Invoker)
        {
            throw new ArgumentException($"Another task is registered as '{task.Name}'; cannot make '{task.Name}' periodic.", nameof(task));
        }
        var periodic = task.WithPeriodic(new PeriodicSchedule(schedule, missedRuns));
        return new TaskCatalog(All.Where(t => t.Name != task.Name).Append(periodic));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Count} tasks";
}
