namespace TaskQueue.Generator.Tests;

/// <summary>
/// The task shapes whose whole generated output is kept as baselines, for a reviewer to read whole.
/// Each case is one compilation; <c>Baselines/{Case}</c> holds every file generated for it.
/// </summary>
internal static partial class GoldenCases
{
    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        ["SyncValue"] = SyncValue,
        ["Void"] = Void,
        ["AsyncTaskOfT"] = AsyncTaskOfT,
        ["ValueTasks"] = ValueTasks,
        ["ContextAndCancellation"] = ContextAndCancellation,
        ["NestedRecords"] = NestedRecords,
        ["Collections"] = Collections,
        ["EnumsAndNullables"] = EnumsAndNullables,
        ["EnumNames"] = EnumNames,
        ["CustomNameAndQueue"] = CustomNameAndQueue,
        ["InternalClass"] = InternalClass,
        ["DefaultParameterValues"] = DefaultParameterValues,
        ["GlobalNamespace"] = GlobalNamespace,
        ["ClashingNames"] = ClashingNames,
        ["PeriodicTasks"] = PeriodicTasks,
        ["RecurringMembers"] = RecurringMembers,
        ["RecurringNameClash"] = RecurringNameClash,
        ["ServiceParameters"] = ServiceParameters,
        ["Workflows"] = Workflows,
    };

    /// <summary>The generator diagnostics a case expects (warnings only: every case generates).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ExpectedDiagnostics = new Dictionary<string, string[]>
    {
        ["RecurringNameClash"] = ["TQ0011"],
    };

    private const string Workflows = """
        using System.Collections.Generic;
        using TaskQueue;
        using TaskQueue.Messages;

        namespace Beans;

        public static class Flows
        {
            [Task(TimeoutSeconds = 30, ExpiresSeconds = 600, RetryBackoff = 2, MaxRetryDelaySeconds = 300, RetryJitter = true, Retries = 5, RetryDelaySeconds = 1)]
            public static int Weigh(int beans, string unit = "g") => beans;

            [Task(Lock = "scale", RateLimit = 10, RateLimitPeriodSeconds = 60)]
            public static void Record(List<int> weights) { }

            [Task]
            public static string Complain(TaskError error, string? to = null) => error.Message;
        }
        """;

    private const string ServiceParameters = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using TaskQueue;

        namespace Beans;

        public interface IBarn
        {
            Task StoreAsync(int beans, CancellationToken cancellationToken);
        }

        public static class BarnTasks
        {
            [Task]
            public static async Task<int> Store(int beans, [FromServices] IBarn barn, TaskContext context, CancellationToken cancellationToken)
            {
                await barn.StoreAsync(beans, cancellationToken);
                return beans;
            }

            [PeriodicTask("0 3 * * *")]
            public static void Sweep([FromServices] IServiceProvider services)
            {
            }
        }
        """;

    private const string SyncValue = """
        using TaskQueue;

        namespace Beans;

        public static partial class BeanTasks
        {
            [Task(Retries = 3, RetryDelaySeconds = 10)]
            public static string CountBeans(int num) => $"Counted {num} beans";
        }
        """;

    private const string Void = """
        using TaskQueue;

        namespace Beans;

        public static class Housekeeping
        {
            [Task]
            public static void Ping()
            {
            }

            [Task]
            public static void Log(string message, int level)
            {
            }
        }
        """;

    private const string AsyncTaskOfT = """
        using System.Threading.Tasks;
        using TaskQueue;

        namespace Beans;

        public static class Fetcher
        {
            [Task]
            public static async Task<string?> Fetch(string url, int attempts)
            {
                await Task.Yield();
                return attempts > 0 ? url : null;
            }

            [Task]
            public static Task Warm(string url) => Task.CompletedTask;
        }
        """;

    private const string ValueTasks = """
        using System.Threading;
        using System.Threading.Tasks;
        using TaskQueue;

        namespace Beans;

        public static class Storage
        {
            [Task]
            public static ValueTask Flush(CancellationToken cancellationToken) => default;

            [Task]
            public static ValueTask<long> Measure(string path) => new(path.Length);
        }
        """;

    private const string ContextAndCancellation = """
        using System.Threading;
        using System.Threading.Tasks;
        using TaskQueue;

        namespace Beans.Reports;

        public sealed record ReportRequest(string Title, int Year);

        public sealed record Report(string Title, string Body, int Attempt);

        public static class ReportTasks
        {
            [Task(Queue = "reports")]
            public static async Task<Report> BuildReport(TaskContext context, ReportRequest request, CancellationToken ct)
            {
                await Task.Delay(1, ct);
                return new Report(request.Title, $"{request.Year}", context.RetriesLeft);
            }
        }
        """;

    private const string CustomNameAndQueue = """
        using TaskQueue;

        namespace Beans;

        public static class Renamed
        {
            [Task(Name = "beans.count", Queue = "reports", Retries = 1, Priority = 3)]
            public static int CountAgain(int num) => num;
        }
        """;

    private const string InternalClass = """
        using TaskQueue;

        namespace Beans.Internal;

        internal static class Jobs
        {
            public static class Nested
            {
                [Task]
                public static int Add(int a, int b) => a + b;
            }
        }
        """;

    private const string GlobalNamespace = """
        using TaskQueue;

        public static class TopLevelTasks
        {
            [Task]
            public static bool IsEven(long value) => value % 2 == 0;
        }
        """;

    private const string ClashingNames = """
        using TaskQueue;

        namespace Beans;

        public static class Tricky
        {
            // Parameter names that generated code also uses for its locals and members.
            [Task]
            public static string Shadow(string writer, int[] item, string @class, int Name, string context, string reader) => writer;
        }
        """;

    private const string PeriodicTasks = """
        using System.Threading;
        using System.Threading.Tasks;
        using TaskQueue;
        using TaskQueue.Scheduling;

        namespace Beans.Jobs;

        public static class Maintenance
        {
            // 5 fields, read in Berlin time.
            [PeriodicTask("0 3 * * *", TimeZone = "Europe/Berlin")]
            public static void Backup()
            {
            }

            // 6 fields: every 10 seconds; the context and the token come from the executor.
            [PeriodicTask("*/10 * * * * *", Name = "jobs.poll", Queue = "polling", Retries = 2, RetryDelaySeconds = 5, Priority = -1)]
            public static Task Poll(TaskContext context, CancellationToken cancellationToken) => Task.Delay(1, cancellationToken);

            // The last day of every month; after downtime, one run for all that was missed.
            [PeriodicTask("30 2 L * *", MissedRuns = MissedRunPolicy.RunOnce)]
            public static int Compact() => 0;
        }
        """;

    private const string RecurringMembers = """
        using System.Threading.Tasks;
        using TaskQueue;

        namespace Beans;

        public static class Printing
        {
            [Task(Queue = "printing")]
            public static async Task<string> Print(string title, TaskContext context, int copies = 1)
            {
                await Task.Yield();
                return $"{title} x{copies} ({context.TaskId})";
            }
        }
        """;

    private const string RecurringNameClash = """
        using TaskQueue;

        namespace Beans;

        public static class Labels
        {
            // 'label' is an option of Recurring/RunIterations: TQ0011, and the stub has no recurring members.
            [Task]
            public static void Tag(int id, string label)
            {
            }
        }
        """;
}
