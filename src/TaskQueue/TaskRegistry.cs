using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace TaskQueue;

/// <summary>
/// The process-wide dispatch table: task name to <see cref="TaskDescriptor"/>. Each assembly with
/// tasks registers its own from a generated module initializer, so nothing is looked up by
/// reflection.
/// </summary>
public static class TaskRegistry
{
    private static readonly ConcurrentDictionary<string, TaskDescriptor> Tasks = new(StringComparer.Ordinal);

    /// <summary>Adds a task. Registering the same descriptor twice is harmless.</summary>
    /// <exception cref="InvalidOperationException">Another task already has this name.</exception>
    public static void Register(TaskDescriptor task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var existing = Tasks.GetOrAdd(task.Name, task);
        if (!ReferenceEquals(existing, task))
        {
            throw new InvalidOperationException(
                $"Two tasks are named '{task.Name}'. Task names must be unique in a process; set [Task(Name = ...)] on one of them.");
        }
    }

    /// <summary>
    /// Makes <paramref name="task"/> periodic on a schedule made in code (huey's
    /// <c>periodic_task(crontab(...))</c>), for example
    /// <c>TaskRegistry.SchedulePeriodic(Backup.Descriptor, new Crontab(hour: "3", minute: "0"))</c>.
    /// Call it at start-up, before consumers start: their tickers read the registry once. The task's
    /// method must take no arguments (a <see cref="TaskContext"/> and a <see cref="CancellationToken"/>
    /// are fine): the ticker enqueues it with none.
    /// </summary>
    /// <returns>The task's descriptor as now registered, with <see cref="TaskDescriptor.Periodic"/> set.</returns>
    /// <exception cref="InvalidOperationException">Another task (other generated code) is registered under the same name.</exception>
    public static TaskDescriptor SchedulePeriodic(TaskDescriptor task, Scheduling.ISchedule schedule, Scheduling.MissedRunPolicy missedRuns = Scheduling.MissedRunPolicy.Skip)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(schedule);
        var periodic = new TaskDescriptor(task.Name, task.Queue, task.Retries, task.RetryDelay, task.Invoker)
        {
            Periodic = new Scheduling.PeriodicSchedule(schedule, missedRuns),
        };
        Tasks.AddOrUpdate(task.Name, periodic, (name, existing) => existing.Invoker == task.Invoker
            ? periodic
            : throw new InvalidOperationException($"Another task is registered as '{name}'; cannot make '{name}' periodic."));
        return periodic;
    }

    /// <summary>Finds a task by its stable name.</summary>
    public static bool TryGet(string name, [NotNullWhen(true)] out TaskDescriptor? task) => Tasks.TryGetValue(name, out task);

    /// <summary>Every registered task, ordered by name.</summary>
    public static IReadOnlyList<TaskDescriptor> All => Tasks.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Makes sure the tasks of <paramref name="assembly"/> are registered. Under the JIT an assembly's
    /// module initializer runs when the assembly is first used; a worker whose tasks live in a
    /// library it does not otherwise touch calls this (native AOT runs every initializer at start).
    /// </summary>
    public static void Include(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
    }
}
