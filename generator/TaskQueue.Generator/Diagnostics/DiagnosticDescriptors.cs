using Microsoft.CodeAnalysis;

namespace TaskQueue.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the task generator reports. The ids are a contract: listed in
/// AnalyzerReleases.Shipped.md, never reused once retired. TQ01xx is kept for periodic tasks.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string Category = "TaskQueue";

    public static readonly DiagnosticDescriptor TaskMethodNotStatic = Error(
        "TQ0001",
        "Task method is not static",
        "Task method '{0}' is not static; make it static, tasks run without an instance");

    public static readonly DiagnosticDescriptor TaskMethodGeneric = Error(
        "TQ0002",
        "Task method is generic",
        "Task method '{0}' {1}; tasks must be non-generic methods of non-generic types, so move it or make it non-generic");

    public static readonly DiagnosticDescriptor ParameterPassedByReference = Error(
        "TQ0003",
        "Task parameter is passed by reference or is params",
        "Parameter '{0}' of task '{1}' is a '{2}' parameter; task arguments travel by value, so remove '{2}'");

    public static readonly DiagnosticDescriptor TypeCannotTravel = Error(
        "TQ0004",
        "Task type cannot travel in a message",
        "{0} of task '{1}' cannot travel in a message: {2}; use primitives, strings, enums, arrays, lists, string-keyed dictionaries, or records and classes built from them");

    public static readonly DiagnosticDescriptor DuplicateTaskName = Error(
        "TQ0005",
        "Two tasks have the same name",
        "Task name '{0}' of '{1}' is already used by '{2}'; give one of them a unique [Task(Name = ...)]");

    public static readonly DiagnosticDescriptor StubNameCollision = Error(
        "TQ0006",
        "Task stub class name is taken",
        "The stub class '{0}' for task method '{1}' collides with {2}; rename the method or move it to another namespace");

    public static readonly DiagnosticDescriptor TaskMethodInaccessible = Error(
        "TQ0007",
        "Task method cannot be called by its stub",
        "Task method '{0}' cannot be called by its generated stub because {1}; make the method and its containing types public or internal");

    public static readonly DiagnosticDescriptor ParameterNameReserved = Error(
        "TQ0008",
        "Task parameter name is used by the stubs",
        "Parameter '{0}' of task '{1}' has a name the generated stubs use for their own parameters; rename it (retries, retryDelay, priority, delay, eta, cancellationToken, arguments and count are taken)");

    public static readonly DiagnosticDescriptor InvalidTaskAttributeValue = Error(
        "TQ0009",
        "Invalid [Task] or [PeriodicTask] attribute value",
        "[{0}] on '{1}' has an invalid {2}: {3}");

    public static readonly DiagnosticDescriptor DuplicateRuntimeParameter = Error(
        "TQ0010",
        "More than one TaskContext or CancellationToken parameter",
        "Task '{0}' has more than one {1} parameter; keep only one");

    public static readonly DiagnosticDescriptor ParameterHidesRecurringMembers = Warning(
        "TQ0011",
        "Task parameter name is used by the recurring-task stubs",
        "Parameter '{0}' of task '{1}' has the name of an option of the recurring-task stubs, so the stub '{2}' gets no Recurring, RunIterations or RunOnce members; rename the parameter to get them ({3} are taken)");

    public static readonly DiagnosticDescriptor ServiceParameterByReference = Error(
        "TQ0012",
        "[FromServices] parameter is passed by reference",
        "[FromServices] parameter '{0}' of task '{1}' is a '{2}' parameter; a service is resolved for each run and passed by value, so remove '{2}'");

    public static readonly DiagnosticDescriptor ServiceParameterSuppliedByRuntime = Error(
        "TQ0013",
        "[FromServices] on a parameter the consumer supplies",
        "Parameter '{0}' of task '{1}' is a {2}, which the consumer supplies to every run; remove [FromServices]");

    public static readonly DiagnosticDescriptor InvalidCronExpression = Error(
        "TQ0101",
        "Invalid cron expression",
        "'{0}' is not a valid cron expression: {1}");

    public static readonly DiagnosticDescriptor UnknownTimeZone = Error(
        "TQ0102",
        "Unknown time zone",
        "'{0}' is not a known time zone id on this machine, so periodic task '{1}' could not be scheduled; use an IANA id such as Europe/Berlin, or leave TimeZone out for UTC");

    public static readonly DiagnosticDescriptor PeriodicTaskWithArguments = Error(
        "TQ0103",
        "Periodic task takes arguments",
        "Periodic task '{0}' has the parameter '{1}', but the scheduler enqueues its runs without arguments; remove it (only a TaskContext, a CancellationToken and [FromServices] parameters are allowed), or make it a [Task] and schedule it with Recurring(...)");

    public static readonly DiagnosticDescriptor TaskAndPeriodicTask = Error(
        "TQ0104",
        "Method has both [Task] and [PeriodicTask]",
        "Method '{0}' has both [Task] and [PeriodicTask]; keep one: [PeriodicTask] runs it on its schedule and can still be enqueued by hand, [Task] only when enqueued");

    /// <summary>The documentation page for a diagnostic id.</summary>
    public static string HelpLink(string id) => "https://github.com/taskqueue/taskqueue/blob/main/docs/diagnostics.md#" + id.ToLowerInvariant();

    private static DiagnosticDescriptor Warning(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(id));

    private static DiagnosticDescriptor Error(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id));
}
