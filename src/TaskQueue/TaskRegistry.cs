using System.Collections.Concurrent;
using System.ComponentModel;

namespace TaskQueue;

/// <summary>
/// Where generated code announces the tasks of each assembly as it loads (from a module
/// initializer, so nothing is found by reflection). Apps do not read it: each <see cref="TaskApp"/>
/// takes a <see cref="TaskCatalog"/> snapshot of it when it is built.
/// </summary>
/// <remarks>
/// An assembly that references an assembly with tasks registers that one's tasks too, from its own
/// module initializer, so a worker whose tasks live in a library finds them without touching it.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TaskRegistry
{
    private static readonly ConcurrentDictionary<string, TaskDescriptor> Tasks = new(StringComparer.Ordinal);

    /// <summary>Adds a task. Called by generated code; registering the same descriptor twice is harmless.</summary>
    /// <exception cref="InvalidOperationException">Another task already has this name.</exception>
    public static void Register(TaskDescriptor task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var existing = Tasks.GetOrAdd(task.Name, task);
        if (ReferenceEquals(existing, task)) Interlocked.Increment(ref version);
        else
        {
            throw new InvalidOperationException(
                $"Two tasks are named '{task.Name}'. Task names must be unique in a process; set [Task(Name = ...)] on one of them.");
        }
    }

    private static int version;

    /// <summary>Changes whenever a registration adds a task (registering the same descriptor again may bump it too).</summary>
    internal static int Version => Volatile.Read(ref version);

    /// <summary>Every task registered so far, ordered by name.</summary>
    internal static TaskDescriptor[] Snapshot() => Tasks.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
}
