namespace TaskQueue.Generator.Model;

/// <summary>The shapes of return type a task may have.</summary>
internal enum ReturnKind
{
    Void,
    Value,
    Task,
    TaskOfValue,
    ValueTask,
    ValueTaskOfValue,
}

/// <summary>A task method's return type.</summary>
internal sealed record ReturnSpec
{
    public required ReturnKind Kind { get; init; }

    /// <summary>The declared return type, <c>global::</c>-qualified (<c>void</c> for none).</summary>
    public required string TypeName { get; init; }

    /// <summary>The value the task produces (the <c>T</c> of <c>Task&lt;T&gt;</c>); null when it produces none.</summary>
    public TypeSpec? Value { get; init; }

    public bool IsAsync => Kind is ReturnKind.Task or ReturnKind.TaskOfValue or ReturnKind.ValueTask or ReturnKind.ValueTaskOfValue;
}
