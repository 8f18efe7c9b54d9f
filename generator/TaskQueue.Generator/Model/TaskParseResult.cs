namespace TaskQueue.Generator.Model;

/// <summary>
/// What the parser makes of one <c>[Task]</c> or <c>[PeriodicTask]</c> method: a spec when the method
/// is valid, the diagnostics it found (with a spec, only warnings), and where the task is declared,
/// for the checks that span all tasks.
/// </summary>
/// <remarks>
/// Only <see cref="Spec"/> flows on to the emitters. The rest holds locations, which change with any
/// edit above the method, so it goes to the diagnostics output only.
/// </remarks>
internal sealed record TaskParseResult
{
    public required TaskSpec? Spec { get; init; }

    public required ImmutableEquatableArray<DiagnosticInfo> Diagnostics { get; init; }

    /// <summary>Set together with <see cref="Spec"/>.</summary>
    public required TaskSite? Site { get; init; }
}

/// <summary>The names a task claims in the compilation: its task name and its stub class.</summary>
internal sealed record TaskIdentity(string MethodKey, string Name, string StubFullName, string MethodDisplayName);

/// <summary>A task's identity and where to report a conflict on it.</summary>
internal sealed record TaskSite(TaskIdentity Identity, LocationInfo NameLocation, LocationInfo MethodLocation);

/// <summary>A task that loses a clash with an earlier one: its name or its stub class is taken.</summary>
internal sealed record TaskConflict(string MethodKey, bool DuplicateName, TaskIdentity Earlier);
