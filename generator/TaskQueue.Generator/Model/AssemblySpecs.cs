namespace TaskQueue.Generator.Model;

/// <summary>The tasks the assembly's module initializer registers: their stub classes, <c>global::</c>-qualified.</summary>
internal sealed record DispatchSpec(ImmutableEquatableArray<string> StubTypeNames);

/// <summary>The user types of all the assembly's tasks, for the one shared <c>TaskCodecs</c> class.</summary>
internal sealed record CodecsSpec(ImmutableEquatableArray<ObjectSpec> Objects);
