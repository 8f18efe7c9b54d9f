namespace TaskQueue.Generator.Model;

/// <summary>What the assembly's dispatch file registers.</summary>
/// <param name="StubTypeNames">This assembly's stub classes, <c>global::</c>-qualified.</param>
/// <param name="RegistrarName">The name of this assembly's public registrar class (unique per assembly name).</param>
/// <param name="ReferencedRegistrars">The registrars of referenced assemblies with tasks, <c>global::</c>-qualified, ordered.</param>
internal sealed record DispatchSpec(ImmutableEquatableArray<string> StubTypeNames, string RegistrarName, ImmutableEquatableArray<string> ReferencedRegistrars);

/// <summary>The user types of all the assembly's tasks, for the one shared <c>TaskCodecs</c> class.</summary>
internal sealed record CodecsSpec(ImmutableEquatableArray<ObjectSpec> Objects);
