namespace TaskQueue.Generator;

/// <summary>The names of the pipeline steps that caching tests watch.</summary>
internal static class TrackingNames
{
    /// <summary>Each task's spec, or null for a method with errors.</summary>
    public const string TaskSpecs = "TaskQueue.TaskSpecs";

    /// <summary>The tasks that lose a name or stub clash (TQ0005, TQ0006).</summary>
    public const string Conflicts = "TaskQueue.Conflicts";

    /// <summary>Each task's spec as its stub emitter gets it: null when it lost a clash.</summary>
    public const string Stubs = "TaskQueue.Stubs";

    /// <summary>The registrars of referenced assemblies with tasks.</summary>
    public const string ReferencedTasks = "TaskQueue.ReferencedTasks";

    /// <summary>The assembly's dispatch table.</summary>
    public const string Dispatch = "TaskQueue.Dispatch";

    /// <summary>The assembly's shared user-type codecs.</summary>
    public const string Codecs = "TaskQueue.Codecs";
}
