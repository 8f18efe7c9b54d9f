using System.Collections.Generic;
using TaskQueue.Generator.Diagnostics;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Parsing;

/// <summary>
/// The checks that need every task of the compilation: TQ0005 (a task name used twice) and TQ0006
/// (two tasks wanting the same stub class). The later task in source order gets the error and no stub.
/// </summary>
internal static class TaskConflicts
{
    public static ImmutableEquatableArray<TaskConflict> Find(IEnumerable<TaskIdentity> tasks)
    {
        var names = new Dictionary<string, TaskIdentity>();
        var stubs = new Dictionary<string, TaskIdentity>();
        var conflicts = new List<TaskConflict>();
        foreach (var task in tasks)
        {
            if (names.TryGetValue(task.Name, out var sameName))
            {
                conflicts.Add(new TaskConflict(task.MethodKey, DuplicateName: true, sameName));
            }
            else
            {
                names.Add(task.Name, task);
            }
            if (stubs.TryGetValue(task.StubFullName, out var sameStub))
            {
                conflicts.Add(new TaskConflict(task.MethodKey, DuplicateName: false, sameStub));
            }
            else
            {
                stubs.Add(task.StubFullName, task);
            }
        }
        return conflicts.ToImmutableEquatableArray();
    }

    public static bool Loses(ImmutableEquatableArray<TaskConflict> conflicts, string methodKey)
    {
        foreach (var conflict in conflicts)
        {
            if (conflict.MethodKey == methodKey) return true;
        }
        return false;
    }

    public static IEnumerable<DiagnosticInfo> Report(IReadOnlyList<TaskSite> sites)
    {
        var byKey = new Dictionary<string, TaskSite>();
        var identities = new List<TaskIdentity>();
        foreach (var site in sites)
        {
            byKey[site.Identity.MethodKey] = site;
            identities.Add(site.Identity);
        }
        foreach (var conflict in Find(identities))
        {
            var site = byKey[conflict.MethodKey];
            yield return conflict.DuplicateName
                ? DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateTaskName, site.NameLocation,
                    site.Identity.Name, site.Identity.MethodDisplayName, conflict.Earlier.MethodDisplayName)
                : DiagnosticInfo.Create(DiagnosticDescriptors.StubNameCollision, site.MethodLocation,
                    site.Identity.StubFullName, site.Identity.MethodDisplayName, $"the stub of task method '{conflict.Earlier.MethodDisplayName}'");
        }
    }
}
