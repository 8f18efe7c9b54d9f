using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TaskQueue.Generator.Diagnostics;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Parsing;

/// <summary>The values of one <c>[Task(...)]</c> and where its <c>Name</c> was written.</summary>
internal sealed record TaskAttributeValues(string? Name, string? Queue, int Retries, int RetryDelaySeconds, LocationInfo? NameLocation);

/// <summary>Reads <c>[Task(Name, Queue, Retries, RetryDelaySeconds)]</c> and reports TQ0009 on a bad value.</summary>
internal static class TaskAttributeParser
{
    /// <returns>The values, or null when one is invalid or does not bind.</returns>
    public static TaskAttributeValues? Parse(AttributeData attribute, string display, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        string? name = null, queue = null;
        int retries = 0, retryDelay = 0;
        LocationInfo? nameLocation = null;
        bool valid = true;
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Value.Kind == TypedConstantKind.Error)
            {
                valid = false;
                continue;
            }
            var location = ArgumentLocation(syntax, argument.Key);
            string? problem = null;
            switch (argument.Key)
            {
                case "Name":
                    name = argument.Value.Value as string;
                    nameLocation = location;
                    if (name is not null && string.IsNullOrWhiteSpace(name))
                    {
                        problem = "it must not be empty; leave it out to use the qualified method name";
                    }
                    break;
                case "Queue":
                    queue = argument.Value.Value as string;
                    if (queue is not null && string.IsNullOrWhiteSpace(queue))
                    {
                        problem = "it must not be empty; leave it out to use the default queue";
                    }
                    break;
                case "Retries":
                    retries = argument.Value.Value as int? ?? 0;
                    problem = retries < 0 ? $"{retries} is negative; use 0 or more" : null;
                    break;
                case "RetryDelaySeconds":
                    retryDelay = argument.Value.Value as int? ?? 0;
                    problem = retryDelay < 0 ? $"{retryDelay} is negative; use 0 or more" : null;
                    break;
            }
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidTaskAttributeValue, location, display, argument.Key, problem));
                valid = false;
            }
        }
        return valid ? new TaskAttributeValues(name, queue, retries, retryDelay, nameLocation) : null;
    }

    private static LocationInfo ArgumentLocation(AttributeSyntax? attribute, string name)
    {
        var argument = attribute?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        return argument is not null ? LocationInfo.From(argument)
            : attribute is not null ? LocationInfo.From(attribute)
            : LocationInfo.From(Location.None);
    }
}
