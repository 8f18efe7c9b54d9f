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
    public const string PeriodicTaskAttributeName = "TaskQueue.PeriodicTaskAttribute";
    private const string TaskContextName = "TaskQueue.TaskContext";
    private const string CancellationTokenName = "System.Threading.CancellationToken";

    /// <summary>The attributes that mark a parameter as a service: TaskQueue's own, and ASP.NET Core's, which web apps have in scope.</summary>
    private static readonly string[] FromServicesAttributeNames = ["TaskQueue.FromServicesAttribute", "Microsoft.AspNetCore.Mvc.FromServicesAttribute"];

    /// <summary>Names the generated stubs give their own parameters, which a payload parameter must not take.</summary>
    public static readonly string[] ReservedParameterNames = ["retries", "retryDelay", "priority", "delay", "eta", "cancellationToken", "arguments", "count"];

    /// <summary>
    /// The options of the recurring-task stubs (<c>Recurring</c>, <c>RunIterations</c>, <c>RunOnce</c>): a
    /// <c>[Task]</c> with a payload parameter of one of these names gets no such members (TQ0011).
    /// </summary>
    public static readonly string[] RecurringOptionNames =
    [
        "schedule", "label", "timeZone", "userdata", "enabled", "startRunning", "endRunning", "waitForSchedule", "iterations", "allowOverlap",
        "runImmediately", "delayUntil",
    ];

    private static readonly TaskParseResult Nothing = new()
    {
        Spec = null, Diagnostics = ImmutableEquatableArray<DiagnosticInfo>.Empty, Site = null,
    };

    /// <summary>A <c>[Task]</c> method; TQ0104 when it also has <c>[PeriodicTask]</c>.</summary>
    public static TaskParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        if (FindAttribute(method, PeriodicTaskAttributeName) is { } periodic)
        {
            var syntax = periodic.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            var location = syntax is not null ? LocationInfo.From(syntax) : MethodNameLocation(context.TargetNode);
            var diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.TaskAndPeriodicTask, location, MethodDisplay(method));
            return Nothing with { Diagnostics = new[] { diagnostic }.ToImmutableEquatableArray() };
        }
        return Parse(context, periodic: false, cancellationToken);
    }

    /// <summary>A <c>[PeriodicTask]</c> method; nothing when it also has <c>[Task]</c>, which the <c>[Task]</c> side reports.</summary>
    public static TaskParseResult ParsePeriodic(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        => FindAttribute((IMethodSymbol)context.TargetSymbol, TaskAttributeName) is not null ? Nothing : Parse(context, periodic: true, cancellationToken);

    private static TaskParseResult Parse(GeneratorAttributeSyntaxContext context, bool periodic, CancellationToken cancellationToken)
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
        var attribute = TaskAttributeParser.Parse(context.Attributes[0], periodic, display, diagnostics, cancellationToken);
        if (Generic(method) is { } generic)
        {
            // Type parameters cannot travel either; saying so again for each would be noise.
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TaskMethodGeneric, methodLocation, display, generic));
            return new TaskParseResult { Spec = null, Diagnostics = diagnostics.ToImmutableEquatableArray(), Site = null };
        }

        var types = new WireTypeParser(compilation);
        var parameters = ParseParameters(method, periodic, display, types, diagnostics, cancellationToken, out string? recurringClash);
        var returns = ReturnParser.Parse(method, context.TargetNode, display, types, diagnostics);
        CheckStubName(method, periodic, display, methodLocation, compilation, diagnostics);

        bool hasErrors = diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
        if (hasErrors || types.HasErrorTypes || attribute is null || parameters is null || returns is null)
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
            Priority = attribute.Priority,
            Controls = attribute.Controls,
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
            Periodic = attribute.Periodic,
            RecurringNameClash = recurringClash,
        };
        var site = new TaskSite(spec.Identity, attribute.NameLocation ?? methodLocation, methodLocation);
        // Only warnings are left; they go with the spec.
        return new TaskParseResult { Spec = spec, Diagnostics = diagnostics.ToImmutableEquatableArray(), Site = site };
    }

    private static AttributeData? FindAttribute(IMethodSymbol method, string metadataName)
        => method.GetAttributes().FirstOrDefault(a => a.AttributeClass is { } c && TypeNames.MetadataName(c) == metadataName);

    /// <param name="recurringClash">For a <c>[Task]</c>: the first payload parameter named like a recurring-stub option (TQ0011).</param>
    private static List<ParameterSpec>? ParseParameters(IMethodSymbol method, bool periodic, string display, WireTypeParser types,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken, out string? recurringClash)
    {
        var specs = new List<ParameterSpec>();
        bool valid = true, hasContext = false, hasToken = false, reportedPayload = false;
        recurringClash = null;
        foreach (var parameter in method.Parameters)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var location = ParameterLocation(parameter, cancellationToken);
            var role = Role(parameter.Type);
            if (IsFromServices(parameter))
            {
                if (role != ParameterRole.Payload)
                {
                    string kind = role == ParameterRole.Context ? "TaskContext" : "CancellationToken";
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ServiceParameterSuppliedByRuntime, location, parameter.Name, display, kind));
                    valid = false;
                    continue;
                }
                if (parameter.RefKind != RefKind.None || parameter.IsParams)
                {
                    string modifier = parameter.IsParams ? "params" : RefKeyword(parameter.RefKind);
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ServiceParameterByReference, location, parameter.Name, display, modifier));
                    valid = false;
                    continue;
                }
                // Not part of the message nor of the stubs: no wire type, no reserved names.
                specs.Add(new ParameterSpec { Name = parameter.Name, Role = ParameterRole.Service, TypeName = TypeNames.ForCode(parameter.Type) });
                continue;
            }
            if (periodic && role == ParameterRole.Payload)
            {
                // The scheduler has no arguments to give; whatever else is wrong with the parameter, it goes.
                if (!reportedPayload)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PeriodicTaskWithArguments, location, display, parameter.Name));
                    reportedPayload = true;
                }
                valid = false;
                continue;
            }
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                string modifier = parameter.IsParams ? "params" : RefKeyword(parameter.RefKind);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ParameterPassedByReference, location, parameter.Name, display, modifier));
                valid = false;
                continue;
            }
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
            else if (recurringClash is null && RecurringOptionNames.Contains(parameter.Name))
            {
                recurringClash = parameter.Name;
                string stub = method.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + method.Name : method.Name;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ParameterHidesRecurringMembers, location,
                    parameter.Name, display, stub, string.Join(", ", RecurringOptionNames)));
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

    private static bool IsFromServices(IParameterSymbol parameter)
        => parameter.GetAttributes().Any(a => a.AttributeClass is { } c && FromServicesAttributeNames.Contains(TypeNames.MetadataName(c)));

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
    private static void CheckStubName(IMethodSymbol method, bool periodic, string display, LocationInfo location, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        if (method.ContainingNamespace is not { } ns) return;
        string stub = ns.IsGlobalNamespace ? method.Name : ns.ToDisplayString() + "." + method.Name;
        if (Emitting.StubShape.HasMember(method.Name, periodic))
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
