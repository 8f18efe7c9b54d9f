using System.ComponentModel;

namespace TaskQueue;

/// <summary>
/// Written by the task generator on an assembly with tasks: names the public class that registers
/// them, so that the generated code of an assembly referencing this one registers them too.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class TaskAssemblyAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="registrar">The generated class whose <c>RegisterTasks()</c> registers the assembly's tasks.</param>
    public TaskAssemblyAttribute(Type registrar) => Registrar = registrar;

    /// <summary>The generated class whose <c>RegisterTasks()</c> registers the assembly's tasks.</summary>
    public Type Registrar { get; }
}
