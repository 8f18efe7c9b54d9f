namespace TaskQueue.Generator.Model;

/// <summary>What a task parameter is for.</summary>
internal enum ParameterRole
{
    /// <summary>Travels in the message.</summary>
    Payload,

    /// <summary>A <c>TaskQueue.TaskContext</c>, supplied by the executor.</summary>
    Context,

    /// <summary>A <c>System.Threading.CancellationToken</c>, supplied by the executor.</summary>
    Cancellation,

    /// <summary>A <c>[FromServices]</c> parameter, resolved from the run's service scope.</summary>
    Service,
}

/// <summary>One parameter of a task method.</summary>
internal sealed record ParameterSpec
{
    /// <summary>The name as declared, without an <c>@</c>.</summary>
    public required string Name { get; init; }

    public required ParameterRole Role { get; init; }

    /// <summary>The declared type, <c>global::</c>-qualified with nullable annotations.</summary>
    public required string TypeName { get; init; }

    /// <summary>How the value travels; set for payload parameters only.</summary>
    public TypeSpec? Wire { get; init; }

    /// <summary>The default value as a C# expression, when the parameter has one.</summary>
    public string? DefaultValue { get; init; }
}
