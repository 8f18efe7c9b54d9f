using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TaskQueue.Generator.Diagnostics;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Parsing;

/// <summary>The values of one <c>[Task(...)]</c> or <c>[PeriodicTask(...)]</c> and where its <c>Name</c> was written.</summary>
/// <param name="Periodic">The schedule of a <c>[PeriodicTask]</c>; null for a <c>[Task]</c>.</param>
internal sealed record TaskAttributeValues(string? Name, string? Queue, int Retries, int RetryDelaySeconds, LocationInfo? NameLocation, PeriodicSpec? Periodic)
{
    /// <summary>The <c>Priority</c> named argument, 0 when absent.</summary>
    public int Priority { get; init; }

    /// <summary>Expiry, timeout, backoff, lock and rate limit.</summary>
    public ControlsSpec Controls { get; init; } = ControlsSpec.None;
}

/// <summary>
/// Reads <c>[Task(Name, Queue, Retries, RetryDelaySeconds)]</c> and <c>[PeriodicTask(cron, TimeZone, ..., MissedRuns)]</c>;
/// reports TQ0009 on a bad value, TQ0101 on cron text the runtime would not read, TQ0102 on an unknown time zone.
/// </summary>
internal static class TaskAttributeParser
{
    /// <param name="periodic">Whether <paramref name="attribute"/> is a <c>[PeriodicTask]</c>.</param>
    /// <returns>The values, or null when one is invalid or does not bind.</returns>
    public static TaskAttributeValues? Parse(AttributeData attribute, bool periodic, string display, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        string attributeName = periodic ? "PeriodicTask" : "Task";
        string? name = null, queue = null, timeZone = null, missedRuns = "Skip";
        int retries = 0, retryDelay = 0, priority = 0;
        var controls = ControlsSpec.None;
        LocationInfo? nameLocation = null;
        bool valid = true;
        string? cron = null;
        if (periodic)
        {
            valid = ParseCron(attribute, syntax, diagnostics, out cron);
        }
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
                case "Priority":
                    priority = argument.Value.Value as int? ?? 0;
                    break;
                case "ExpiresSeconds":
                    controls = controls with { ExpiresSeconds = argument.Value.Value as int? ?? 0 };
                    problem = controls.ExpiresSeconds < 0 ? $"{controls.ExpiresSeconds} is negative; use 0 (never) or more" : null;
                    break;
                case "TimeoutSeconds":
                    controls = controls with { TimeoutSeconds = argument.Value.Value as int? ?? 0 };
                    problem = controls.TimeoutSeconds < 0 ? $"{controls.TimeoutSeconds} is negative; use 0 (no limit) or more" : null;
                    break;
                case "RetryBackoff":
                    controls = controls with { RetryBackoff = argument.Value.Value as double? ?? 1 };
                    problem = !(controls.RetryBackoff >= 1 && controls.RetryBackoff <= 1000) ? $"{controls.RetryBackoff} is not between 1 (fixed delay) and 1000" : null;
                    break;
                case "MaxRetryDelaySeconds":
                    controls = controls with { MaxRetryDelaySeconds = argument.Value.Value as int? ?? 0 };
                    problem = controls.MaxRetryDelaySeconds < 0 ? $"{controls.MaxRetryDelaySeconds} is negative; use 0 (no limit) or more" : null;
                    break;
                case "RetryJitter":
                    controls = controls with { RetryJitter = argument.Value.Value as bool? ?? false };
                    break;
                case "Lock":
                    controls = controls with { Lock = argument.Value.Value as string };
                    problem = controls.Lock is not null && string.IsNullOrWhiteSpace(controls.Lock) ? "it must not be empty; leave it out for no lock" : null;
                    break;
                case "RateLimit":
                    controls = controls with { RateLimit = argument.Value.Value as int? ?? 0 };
                    problem = controls.RateLimit < 0 ? $"{controls.RateLimit} is negative; use 0 (no limit) or more" : null;
                    break;
                case "RateLimitPeriodSeconds":
                    controls = controls with { RateLimitPeriodSeconds = argument.Value.Value as int? ?? 1 };
                    problem = controls.RateLimitPeriodSeconds < 1 ? $"{controls.RateLimitPeriodSeconds} is not a period; use 1 second or more" : null;
                    break;
                case "TimeZone" when periodic:
                    timeZone = argument.Value.Value as string;
                    if (timeZone is not null && string.IsNullOrWhiteSpace(timeZone))
                    {
                        problem = "it must not be empty; leave it out to use UTC";
                    }
                    else if (timeZone is not null && !TimeZoneIds.IsKnown(timeZone))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownTimeZone, location, timeZone, display));
                        valid = false;
                    }
                    break;
                case "MissedRuns" when periodic:
                    missedRuns = EnumMemberName(argument.Value);
                    if (missedRuns is null)
                    {
                        problem = $"{argument.Value.Value} is not a MissedRunPolicy value; use MissedRunPolicy.Skip or MissedRunPolicy.RunOnce";
                    }
                    break;
            }
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidTaskAttributeValue, location, attributeName, display, argument.Key, problem));
                valid = false;
            }
        }
        if (!valid) return null;
        var schedule = periodic ? new PeriodicSpec(cron!, timeZone, missedRuns!) : null;
        return new TaskAttributeValues(name, queue, retries, retryDelay, nameLocation, schedule) { Priority = priority, Controls = controls };
    }

    /// <summary>The constructor's cron text; TQ0101 when the runtime would not read it.</summary>
    private static bool ParseCron(AttributeData attribute, AttributeSyntax? syntax, List<DiagnosticInfo> diagnostics, out string? cron)
    {
        cron = null;
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind == TypedConstantKind.Error)
        {
            return false; // the compiler reports the missing or unbound argument
        }
        cron = attribute.ConstructorArguments[0].Value as string;
        if (CronText.Check(cron) is { } reason)
        {
            var argument = syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null);
            var location = argument is not null ? LocationInfo.From(argument) : syntax is not null ? LocationInfo.From(syntax) : LocationInfo.From(Location.None);
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidCronExpression, location, cron ?? "null", reason));
            return false;
        }
        return true;
    }

    /// <summary>The name of the enum member <paramref name="value"/> holds, or null when it holds none.</summary>
    private static string? EnumMemberName(TypedConstant value)
        => value.Type is INamedTypeSymbol { TypeKind: TypeKind.Enum } type
            ? type.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value.Value))?.Name
            : null;

    private static LocationInfo ArgumentLocation(AttributeSyntax? attribute, string name)
    {
        var argument = attribute?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        return argument is not null ? LocationInfo.From(argument)
            : attribute is not null ? LocationInfo.From(attribute)
            : LocationInfo.From(Location.None);
    }
}
