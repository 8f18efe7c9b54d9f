using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Parsing;

/// <summary>
/// Finds the referenced assemblies that have tasks: each carries
/// <c>[assembly: TaskQueue.TaskAssembly(typeof(registrar))]</c>, written by this generator when it
/// compiled that assembly. The module initializer of the assembly being compiled calls their
/// registrars, so an app finds the tasks of every library it references without touching them first.
/// </summary>
internal static class ReferencedTasks
{
    public const string TaskAssemblyAttributeName = "TaskQueue.TaskAssemblyAttribute";
    private const string RuntimeAssemblyName = "TaskQueue";

    public static ImmutableEquatableArray<string> Find(Compilation compilation, CancellationToken cancellationToken)
    {
        var registrars = new SortedSet<string>(System.StringComparer.Ordinal);
        foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Only an assembly compiled against the runtime can have tasks; this check is cheap,
            // reading the attributes of every framework assembly is not.
            if (!assembly.Modules.Any(m => m.ReferencedAssemblies.Any(r => r.Name == RuntimeAssemblyName))) continue;
            foreach (var attribute in assembly.GetAttributes())
            {
                if (attribute.AttributeClass is not { } type || TypeNames.MetadataName(type) != TaskAssemblyAttributeName) continue;
                if (attribute.ConstructorArguments.Length == 1
                    && attribute.ConstructorArguments[0].Value is INamedTypeSymbol registrar
                    && registrar.DeclaredAccessibility == Accessibility.Public)
                {
                    registrars.Add(TypeNames.ForCode(registrar));
                }
            }
        }
        return registrars.ToImmutableEquatableArray();
    }

    /// <summary>
    /// The registrar class of the assembly <paramref name="assemblyName"/>: public, so that assemblies
    /// referencing this one can call it, and named for the assembly so that two never clash.
    /// </summary>
    public static string RegistrarName(string assemblyName)
    {
        var name = new System.Text.StringBuilder("TaskDispatch_");
        foreach (char c in assemblyName) name.Append(char.IsLetterOrDigit(c) ? c : '_');
        // Names that differ only in punctuation ("A.B", "A_B") get different suffixes.
        uint hash = 2166136261;
        foreach (char c in assemblyName) hash = (hash ^ c) * 16777619;
        return name.Append('_').Append(hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).ToString();
    }
}
