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
