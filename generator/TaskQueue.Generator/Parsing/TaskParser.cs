using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TaskQueue.Generator.Diagnostics;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Parsing;

/// <summary>
/// Turns one <c>[Task]</c> method into a <see cref="TaskSpec"/> and its diagnostics. This and the
/// other parsers are the only code that touches symbols; everything they return is plain values.
/// </summary>
internal static class TaskParser
{
    public const string TaskAttributeName = "TaskQueue.TaskAttribute";
    private const string TaskContextName = "TaskQueue.TaskContext";
    private const string CancellationTokenName = "System.Threading.CancellationToken";

    /// <summary>Names the generated stubs give their own parameters, which a payload parameter must not take.</summary>
    public static readonly string[] ReservedParameterNames = ["retries", "retryDelay", "delay", "eta", "cancellationToken", "arguments", "count"];

    public static TaskParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var compilation = context.SemanticModel.Compilation;
        var diagnostics = new List<DiagnosticInfo>();
        string display = MethodDisplay(method);
        var methodLocation = MethodNameLocation(context.TargetNode);

        if (Inaccessible(method) is { } why)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TaskMethodInaccessible, methodLocation, display, why));
        }
        else if (!method.IsStatic)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TaskMethodNotStatic, methodLocation, display));
        }
        var attribute = TaskAttributeParser.Parse(context.Attributes[0], display, diagnostics, cancellationToken);
        if (Generic(method) is { } generic)
        {
            // Type parameters cannot travel either; saying so again for each would be noise.
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TaskMethodGeneric, methodLocation, display, generic));
            return new TaskParseResult { Spec = null, Diagnostics = diagnostics.ToImmutableEquatableArray(), Site = null };
        }

        var types = new WireTypeParser(compilation);
        var parameters = ParseParameters(method, display, types, diagnostics, cancellationToken);
        var returns = ReturnParser.Parse(method, context.TargetNode, display, types, diagnostics);
        CheckStubName(method, display, methodLocation, compilation, diagnostics);

        if (diagnostics.Count > 0 || types.HasErrorTypes || attribute is null || parameters is null || returns is null)
        {
            return new TaskParseResult { Spec = null, Diagnostics = diagnostics.ToImmutableEquatableArray(), Site = null };
        }

        string? ns = method.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        string qualifiedMethod = TypeNames.ForDisplay(method.ContainingType) + "." + method.Name;
        var spec = new TaskSpec
        {
            Name = attribute.Name ?? qualifiedMethod,
            Queue = attribute.Queue,
            Retries = attribute.Retries,
            RetryDelaySeconds = attribute.RetryDelaySeconds,
            Namespace = ns,
            StubName = method.Name,
            HintName = qualifiedMethod + ".g.cs",
            MethodKey = method.GetDocumentationCommentId() ?? qualifiedMethod,
            ContainingTypeName = TypeNames.ForCode(method.ContainingType),
            MethodName = method.Name,
            MethodDisplayName = qualifiedMethod,
            IsPublic = IsPublic(method),
            Parameters = parameters.ToImmutableEquatableArray(),
            Return = returns,
            Objects = types.Objects,
        };
        var site = new TaskSite(spec.Identity, attribute.NameLocation ?? methodLocation, methodLocation);
        return new TaskParseResult { Spec = spec, Diagnostics = ImmutableEquatableArray<DiagnosticInfo>.Empty, Site = site };
    }

    private static List<ParameterSpec>? ParseParameters(
        IMethodSymbol method, string display, WireTypeParser types, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var specs = new List<ParameterSpec>();
        bool valid = true, hasContext = false, hasToken = false;
        foreach (var parameter in method.Parameters)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var location = ParameterLocation(parameter, cancellationToken);
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                string modifier = parameter.IsParams ? "params" : RefKeyword(parameter.RefKind);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ParameterPassedByReference, location, parameter.Name, display, modifier));
                valid = false;
                continue;
            }
            var role = Role(parameter.Type);
            if (role != ParameterRole.Payload)
            {
                ref bool seen = ref role == ParameterRole.Context ? ref hasContext : ref hasToken;
                if (seen)
                {
                    string kind = role == ParameterRole.Context ? "TaskContext" : "CancellationToken";
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateRuntimeParameter, location, display, kind));
                    valid = false;
                }
                seen = true;
                specs.Add(new ParameterSpec { Name = parameter.Name, Role = role, TypeName = TypeNames.ForCode(parameter.Type) });
                continue;
            }
            if (ReservedParameterNames.Contains(parameter.Name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ParameterNameReserved, location, parameter.Name, display));
                valid = false;
            }
            var wire = types.Describe(parameter.Type, parameter.Name, out string? reason);
            if (wire is null)
            {
                if (reason is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeCannotTravel, location, $"Parameter '{parameter.Name}'", display, reason));
                }
                valid = false;
                continue;
            }
            specs.Add(new ParameterSpec
            {
                Name = parameter.Name,
                Role = ParameterRole.Payload,
                TypeName = TypeNames.ForCode(parameter.Type),
                Wire = wire,
                DefaultValue = DefaultValues.Of(parameter),
            });
        }
        return valid ? specs : null;
    }

    private static ParameterRole Role(ITypeSymbol type) => TypeNames.MetadataName(type) switch
    {
        TaskContextName => ParameterRole.Context,
        CancellationTokenName => ParameterRole.Cancellation,
        _ => ParameterRole.Payload,
    };

    /// <summary>Why the stub cannot call the method, or null when it can.</summary>
    private static string? Inaccessible(IMethodSymbol method)
    {
        if (method.MethodKind == MethodKind.LocalFunction) return "it is a local function";
        if (method.MethodKind == MethodKind.AnonymousFunction) return "it is a lambda";
        for (ISymbol? symbol = method; symbol is IMethodSymbol or INamedTypeSymbol; symbol = symbol.ContainingSymbol)
        {
            string? keyword = symbol.DeclaredAccessibility switch
            {
                Accessibility.Private => "private",
                Accessibility.Protected => "protected",
                Accessibility.ProtectedAndInternal => "private protected",
                _ => null,
            };
            if (keyword is not null)
            {
                return symbol is IMethodSymbol ? $"it is {keyword}" : $"its containing type '{TypeNames.ForDisplay(symbol)}' is {keyword}";
            }
        }
        return null;
    }

    private static bool IsPublic(IMethodSymbol method)
    {
        for (ISymbol? symbol = method; symbol is IMethodSymbol or INamedTypeSymbol; symbol = symbol.ContainingSymbol)
        {
            if (symbol.DeclaredAccessibility != Accessibility.Public) return false;
        }
        return true;
    }

    private static string? Generic(IMethodSymbol method)
    {
        if (method.IsGenericMethod) return "is generic";
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.IsGenericType) return $"is declared in the generic type '{TypeNames.ForDisplay(type)}'";
        }
        return null;
    }

    /// <summary>TQ0006 for a stub class whose name an existing type or namespace already has.</summary>
    private static void CheckStubName(IMethodSymbol method, string display, LocationInfo location, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        if (method.ContainingNamespace is not { } ns) return;
        string stub = ns.IsGlobalNamespace ? method.Name : ns.ToDisplayString() + "." + method.Name;
        if (System.Array.IndexOf(Emitting.StubShape.MemberNames, method.Name) >= 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StubNameCollision, location, stub, display, $"its own member '{method.Name}'"));
            return;
        }
        foreach (var existing in ns.GetMembers(method.Name))
        {
            string? what = existing switch
            {
                INamespaceSymbol => $"the namespace '{existing.ToDisplayString()}'",
                INamedTypeSymbol { Arity: 0 } t when compilation.IsSymbolAccessibleWithin(t, compilation.Assembly) => $"the type '{TypeNames.ForDisplay(t)}'",
                _ => null,
            };
            if (what is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StubNameCollision, location, stub, display, what));
                return;
            }
        }
    }

    public static string MethodDisplay(IMethodSymbol method)
        => method.ContainingType is { } type && method.MethodKind is not (MethodKind.LocalFunction or MethodKind.AnonymousFunction)
            ? TypeNames.ForDisplay(type) + "." + method.Name
            : method.Name;

    private static LocationInfo MethodNameLocation(SyntaxNode node) => node switch
    {
        MethodDeclarationSyntax m => LocationInfo.From(m.Identifier),
        LocalFunctionStatementSyntax f => LocationInfo.From(f.Identifier),
        _ => LocationInfo.From(node),
    };

    private static LocationInfo ParameterLocation(IParameterSymbol parameter, CancellationToken cancellationToken)
    {
        var syntax = parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
        return syntax is not null ? LocationInfo.From(syntax) : LocationInfo.From(parameter.Locations.FirstOrDefault() ?? Location.None);
    }

    private static string RefKeyword(RefKind kind) => kind switch
    {
        RefKind.Out => "out",
        RefKind.In => "in",
        RefKind.RefReadOnlyParameter => "ref readonly",
        _ => "ref",
    };
}
