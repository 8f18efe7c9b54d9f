using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TaskQueue.Generator.Diagnostics;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Parsing;

/// <summary>Classifies a task's return type: nothing, a value, or a <c>Task</c>/<c>ValueTask</c> of either.</summary>
internal static class ReturnParser
{
    /// <returns>The return spec, or null when the return type is invalid (reported) or does not bind.</returns>
    public static ReturnSpec? Parse(IMethodSymbol method, SyntaxNode node, string display, WireTypeParser types, List<DiagnosticInfo> diagnostics)
    {
        var location = ReturnTypeLocation(node);
        string typeName = method.ReturnsVoid ? "void" : TypeNames.ForCode(method.ReturnType);
        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            diagnostics.Add(Cannot(location, display, $"'{TypeNames.ForDisplay(method.ReturnType)}' is returned by reference"));
            return null;
        }
        if (method.ReturnsVoid)
        {
            if (method.IsAsync)
            {
                diagnostics.Add(Cannot(location, display, "'async void' cannot be awaited (return 'Task' instead)"));
                return null;
            }
            return new ReturnSpec { Kind = ReturnKind.Void, TypeName = typeName };
        }

        (ReturnKind Kind, ITypeSymbol? Value) shape = TypeNames.MetadataName(method.ReturnType) switch
        {
            "System.Threading.Tasks.Task" => (ReturnKind.Task, null),
            "System.Threading.Tasks.ValueTask" => (ReturnKind.ValueTask, null),
            "System.Threading.Tasks.Task`1" => (ReturnKind.TaskOfValue, ((INamedTypeSymbol)method.ReturnType).TypeArguments[0]),
            "System.Threading.Tasks.ValueTask`1" => (ReturnKind.ValueTaskOfValue, ((INamedTypeSymbol)method.ReturnType).TypeArguments[0]),
            _ => (ReturnKind.Value, method.ReturnType),
        };
        if (shape.Value is null)
        {
            return new ReturnSpec { Kind = shape.Kind, TypeName = typeName };
        }
        var value = types.Describe(shape.Value, "result", out string? reason);
        if (value is null)
        {
            if (reason is not null)
            {
                diagnostics.Add(Cannot(location, display, reason));
            }
            return null;
        }
        return new ReturnSpec { Kind = shape.Kind, TypeName = typeName, Value = value };
    }

    private static DiagnosticInfo Cannot(LocationInfo location, string display, string reason)
        => DiagnosticInfo.Create(DiagnosticDescriptors.TypeCannotTravel, location, "The return type", display, reason);

    private static LocationInfo ReturnTypeLocation(SyntaxNode node) => node switch
    {
        MethodDeclarationSyntax m => LocationInfo.From(m.ReturnType),
        LocalFunctionStatementSyntax f => LocationInfo.From(f.ReturnType),
        _ => LocationInfo.From(node),
    };
}
