using Microsoft.CodeAnalysis;
using TaskQueue.Generator.Tests.Infrastructure;

namespace TaskQueue.Generator.Tests;

/// <summary>One test per diagnostic id: its location, its exact message, and that nothing else is reported.</summary>
public sealed class DiagnosticTests
{
    private const string Advice = "; use primitives, strings, enums, arrays, lists, string-keyed dictionaries, or records and classes built from them";

    private static string Tasks(string members, string extra = "") => $$"""
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;
        using TaskQueue;

        namespace Beans;
        {{extra}}
        public static class BeanTasks
        {
        {{members}}
        }
        """;

    [Fact]
    public void TQ0001_instance_method()
    {
        var result = DiagnosticAssert.Single(
            Tasks("    [Task] public int Count(int n) => n;").Replace("public static class BeanTasks", "public class BeanTasks"),
            "TQ0001", "Count", 12,
            "Task method 'Beans.BeanTasks.Count' is not static; make it static, tasks run without an instance");
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void TQ0002_generic_method()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static T Echo<T>(T value) => value;"),
            "TQ0002", "Echo", 12,
            "Task method 'Beans.BeanTasks.Echo' is generic; tasks must be non-generic methods of non-generic types, so move it or make it non-generic");

    [Fact]
    public void TQ0002_method_in_a_generic_type()
        => DiagnosticAssert.Single(
            Tasks("", "public static class Box<T> { [Task] public static int Size(int n) => n; }"),
            "TQ0002", "Size", 9,
            "Task method 'Beans.Box<T>.Size' is declared in the generic type 'Beans.Box<T>'; tasks must be non-generic methods of non-generic types, so move it or make it non-generic");

    [Fact]
    public void TQ0003_ref_parameter()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static void Bump(int a, ref int total) => total += a;"),
            "TQ0003", "ref int total", 12,
            "Parameter 'total' of task 'Beans.BeanTasks.Bump' is a 'ref' parameter; task arguments travel by value, so remove 'ref'");

    [Fact]
    public void TQ0003_params_parameter()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static int Sum(params int[] values) => values.Length;"),
            "TQ0003", "params int[] values", 12,
            "Parameter 'values' of task 'Beans.BeanTasks.Sum' is a 'params' parameter; task arguments travel by value, so remove 'params'");

    [Fact]
    public void TQ0004_parameter_of_an_abstract_type()
    {
        var result = DiagnosticAssert.Single(
            Tasks("    [Task] public static void Upload(Stream data) { }"),
            "TQ0004", "Stream data", 12,
            "Parameter 'data' of task 'Beans.BeanTasks.Upload' cannot travel in a message: 'System.IO.Stream' is not a concrete type" + Advice);
        DiagnosticAssert.NoStubFor(result, "Beans.BeanTasks.Upload.g.cs");
    }

    [Fact]
    public void TQ0004_names_the_path_to_a_nested_member()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static void Ship(Order order) { }",
                "public sealed record Item(string Sku, object Extra);\npublic sealed record Order(List<Item> Items);"),
            "TQ0004", "Order order", 13,
            "Parameter 'order' of task 'Beans.BeanTasks.Ship' cannot travel in a message: 'object' (at order.Items[].Extra) is not a concrete type" + Advice);

    [Fact]
    public void TQ0004_type_without_settable_members_or_matching_constructor()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static void Use(Handle handle) { }",
                "public sealed class Handle { public Handle(int raw) { Id = raw; } public int Id { get; } }"),
            "TQ0004", "Handle handle", 12,
            "Parameter 'handle' of task 'Beans.BeanTasks.Use' cannot travel in a message: 'Beans.Handle' has no accessible parameterless constructor, nor one whose parameters all match its properties" + Advice);

    [Fact]
    public void TQ0004_return_type()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static Task<Dictionary<int, string>> Index() => Task.FromResult(new Dictionary<int, string>());"),
            "TQ0004", "Task<Dictionary<int, string>>", 12,
            "The return type of task 'Beans.BeanTasks.Index' cannot travel in a message: 'System.Collections.Generic.Dictionary<int, string>' has keys of type 'int', and only string keys can travel" + Advice);

    [Fact]
    public void TQ0005_second_task_with_the_same_name()
    {
        var result = DiagnosticAssert.Single(
            Tasks("""
                    [Task(Name = "beans")] public static void First() { }
                    [Task(Name = "beans")] public static void Second() { }
                """),
            "TQ0005", "Name = \"beans\"", 13,
            "Task name 'beans' of 'Beans.BeanTasks.Second' is already used by 'Beans.BeanTasks.First'; give one of them a unique [Task(Name = ...)]");
        Assert.Contains(result.GeneratedSources, s => s.HintName == "Beans.BeanTasks.First.g.cs");
        DiagnosticAssert.NoStubFor(result, "Beans.BeanTasks.Second.g.cs");
    }

    [Fact]
    public void TQ0006_stub_name_taken_by_an_existing_type()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static void Count() { }", "public sealed class Count { }"),
            "TQ0006", "Count", 12,
            "The stub class 'Beans.Count' for task method 'Beans.BeanTasks.Count' collides with the type 'Beans.Count'; rename the method or move it to another namespace");

    [Fact]
    public void TQ0006_stub_name_taken_by_another_task()
    {
        var result = DiagnosticAssert.Single(
            Tasks("    [Task] public static void Sync() { }", "public static class OtherTasks { [Task] public static void Sync() { } }"),
            "TQ0006", "Sync", 12,
            "The stub class 'Beans.Sync' for task method 'Beans.BeanTasks.Sync' collides with the stub of task method 'Beans.OtherTasks.Sync'; rename the method or move it to another namespace");
        Assert.Contains(result.GeneratedSources, s => s.HintName == "Beans.OtherTasks.Sync.g.cs");
        DiagnosticAssert.NoStubFor(result, "Beans.BeanTasks.Sync.g.cs");
    }

    [Fact]
    public void TQ0006_method_named_like_a_stub_member()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static void Enqueue() { }"),
            "TQ0006", "Enqueue", 12,
            "The stub class 'Beans.Enqueue' for task method 'Beans.BeanTasks.Enqueue' collides with its own member 'Enqueue'; rename the method or move it to another namespace");

    [Fact]
    public void TQ0006_method_named_like_the_argument_renderer()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static void RenderArguments() { }"),
            "TQ0006", "RenderArguments", 12,
            "The stub class 'Beans.RenderArguments' for task method 'Beans.BeanTasks.RenderArguments' collides with its own member 'RenderArguments'; rename the method or move it to another namespace");

    [Fact]
    public void TQ0007_private_method()
        => DiagnosticAssert.Single(
            Tasks("    [Task] static void Hidden() { }"),
            "TQ0007", "Hidden", 12,
            "Task method 'Beans.BeanTasks.Hidden' cannot be called by its generated stub because it is private; make the method and its containing types public or internal");

    [Fact]
    public void TQ0007_private_containing_type()
        => DiagnosticAssert.Single(
            Tasks("    private static class Inner { [Task] public static void Run() { } }"),
            "TQ0007", "Run", 12,
            "Task method 'Beans.BeanTasks.Inner.Run' cannot be called by its generated stub because its containing type 'Beans.BeanTasks.Inner' is private; make the method and its containing types public or internal");

    [Fact]
    public void TQ0007_local_function()
        => DiagnosticAssert.Single(
            Tasks("""
                    public static void Outer()
                    {
                        Inner();

                        [Task] static void Inner() { }
                    }
                """),
            "TQ0007", "Inner", 16,
            "Task method 'Inner' cannot be called by its generated stub because it is a local function; make the method and its containing types public or internal");

    [Fact]
    public void TQ0008_parameter_named_like_a_stub_parameter()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static void Retry(int retries) { }"),
            "TQ0008", "int retries", 12,
            "Parameter 'retries' of task 'Beans.BeanTasks.Retry' has a name the generated stubs use for their own parameters; rename it (retries, retryDelay, priority, delay, eta, cancellationToken, arguments and count are taken)");

    [Fact]
    public void TQ0009_negative_retries()
        => DiagnosticAssert.Single(
            Tasks("    [Task(Retries = -1)] public static void Flaky() { }"),
            "TQ0009", "Retries = -1", 12,
            "[Task] on 'Beans.BeanTasks.Flaky' has an invalid Retries: -1 is negative; use 0 or more");

    [Fact]
    public void TQ0009_negative_timeout()
        => DiagnosticAssert.Single(
            Tasks("    [Task(TimeoutSeconds = -2)] public static void Slow() { }"),
            "TQ0009", "TimeoutSeconds = -2", 12,
            "[Task] on 'Beans.BeanTasks.Slow' has an invalid TimeoutSeconds: -2 is negative; use 0 (no limit) or more");

    [Fact]
    public void TQ0009_backoff_below_one()
        => DiagnosticAssert.Single(
            Tasks("    [Task(RetryBackoff = 0.5)] public static void Shrinking() { }"),
            "TQ0009", "RetryBackoff = 0.5", 12,
            "[Task] on 'Beans.BeanTasks.Shrinking' has an invalid RetryBackoff: 0.5 is not between 1 (fixed delay) and 1000");

    [Fact]
    public void TQ0009_rate_limit_period_of_zero()
        => DiagnosticAssert.Single(
            Tasks("    [Task(RateLimit = 5, RateLimitPeriodSeconds = 0)] public static void Call() { }"),
            "TQ0009", "RateLimitPeriodSeconds = 0", 12,
            "[Task] on 'Beans.BeanTasks.Call' has an invalid RateLimitPeriodSeconds: 0 is not a period; use 1 second or more");

    [Fact]
    public void TQ0009_empty_lock()
        => DiagnosticAssert.Single(
            Tasks("    [Task(Lock = \"\")] public static void Guarded() { }"),
            "TQ0009", "Lock = \"\"", 12,
            "[Task] on 'Beans.BeanTasks.Guarded' has an invalid Lock: it must not be empty; leave it out for no lock");

    [Fact]
    public void TQ0006_a_task_named_like_a_workflow_member()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static int Step(int x) => x;"),
            "TQ0006", "Step", 12,
            "The stub class 'Beans.Step' for task method 'Beans.BeanTasks.Step' collides with its own member 'Step'; rename the method or move it to another namespace");

    [Fact]
    public void TQ0009_empty_name()
        => DiagnosticAssert.Single(
            Tasks("    [Task(Name = \"\")] public static void Nameless() { }"),
            "TQ0009", "Name = \"\"", 12,
            "[Task] on 'Beans.BeanTasks.Nameless' has an invalid Name: it must not be empty; leave it out to use the qualified method name");

    [Fact]
    public void TQ0009_empty_queue()
        => DiagnosticAssert.Single(
            Tasks("    [Task(Queue = \" \")] public static void Lost() { }"),
            "TQ0009", "Queue = \" \"", 12,
            "[Task] on 'Beans.BeanTasks.Lost' has an invalid Queue: it must not be empty; leave it out to use the default queue");

    [Fact]
    public void TQ0010_two_cancellation_tokens()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static Task Wait(CancellationToken first, CancellationToken second) => Task.CompletedTask;"),
            "TQ0010", "CancellationToken second", 12,
            "Task 'Beans.BeanTasks.Wait' has more than one CancellationToken parameter; keep only one");

    [Fact]
    public void TQ0012_service_parameter_passed_by_reference()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static void Ship(int order, [FromServices] ref IServiceProvider services) { }"),
            "TQ0012", "[FromServices] ref IServiceProvider services", 12,
            "[FromServices] parameter 'services' of task 'Beans.BeanTasks.Ship' is a 'ref' parameter; a service is resolved for each run and passed by value, so remove 'ref'");

    [Fact]
    public void TQ0012_service_out_parameter()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static void Ship(int order, [FromServices] out IServiceProvider services) { services = null!; }"),
            "TQ0012", "[FromServices] out IServiceProvider services", 12,
            "[FromServices] parameter 'services' of task 'Beans.BeanTasks.Ship' is a 'out' parameter; a service is resolved for each run and passed by value, so remove 'out'");

    [Fact]
    public void TQ0013_from_services_on_the_task_context()
        => DiagnosticAssert.Single(
            Tasks("    [Task] public static void Ship(int order, [FromServices] TaskContext context) { }"),
            "TQ0013", "[FromServices] TaskContext context", 12,
            "Parameter 'context' of task 'Beans.BeanTasks.Ship' is a TaskContext, which the consumer supplies to every run; remove [FromServices]");

    [Fact]
    public void TQ0013_from_services_on_the_cancellation_token()
        => DiagnosticAssert.Single(
            Tasks("    [PeriodicTask(\"0 3 * * *\")] public static void Sweep([FromServices] CancellationToken token) { }"),
            "TQ0013", "[FromServices] CancellationToken token", 12,
            "Parameter 'token' of task 'Beans.BeanTasks.Sweep' is a CancellationToken, which the consumer supplies to every run; remove [FromServices]");

    [Fact]
    public void FromServices_parameters_are_allowed_on_periodic_tasks_and_need_not_travel()
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Compile(Tasks(
            "    [PeriodicTask(\"0 3 * * *\")] public static void Sweep([FromServices] Stream store, TaskContext context) { }")));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1591"));
        Assert.Contains(result.GeneratedSources, s => s.HintName == "Beans.BeanTasks.Sweep.g.cs");
    }

    [Fact]
    public void TQ0009_names_the_periodic_attribute()
        => DiagnosticAssert.Single(
            Tasks("    [PeriodicTask(\"0 3 * * *\", RetryDelaySeconds = -5)] public static void Backup() { }"),
            "TQ0009", "RetryDelaySeconds = -5", 12,
            "[PeriodicTask] on 'Beans.BeanTasks.Backup' has an invalid RetryDelaySeconds: -5 is negative; use 0 or more");

    [Fact]
    public void TQ0009_missed_run_policy_out_of_range()
        => DiagnosticAssert.Single(
            Tasks("    [PeriodicTask(\"0 3 * * *\", MissedRuns = (TaskQueue.Scheduling.MissedRunPolicy)7)] public static void Backup() { }"),
            "TQ0009", "MissedRuns = (TaskQueue.Scheduling.MissedRunPolicy)7", 12,
            "[PeriodicTask] on 'Beans.BeanTasks.Backup' has an invalid MissedRuns: 7 is not a MissedRunPolicy value; use MissedRunPolicy.Skip or MissedRunPolicy.RunOnce");

    [Fact]
    public void TQ0001_applies_to_periodic_tasks()
        => DiagnosticAssert.Single(
            Tasks("    [PeriodicTask(\"0 3 * * *\")] public void Backup() { }").Replace("public static class BeanTasks", "public class BeanTasks"),
            "TQ0001", "Backup", 12,
            "Task method 'Beans.BeanTasks.Backup' is not static; make it static, tasks run without an instance");

    [Fact]
    public void TQ0011_parameter_named_like_a_recurring_option_drops_only_the_recurring_members()
    {
        var result = DiagnosticAssert.Single(
            Tasks("    [Task] public static void Tag(int id, string label) { }"),
            "TQ0011", "string label", 12,
            "Parameter 'label' of task 'Beans.BeanTasks.Tag' has the name of an option of the recurring-task stubs, so the stub 'Beans.Tag' gets no " +
            "Recurring, RunIterations or RunOnce members; rename the parameter to get them (schedule, label, timeZone, userdata, enabled, " +
            "startRunning, endRunning, waitForSchedule, iterations, allowOverlap, runImmediately, delayUntil are taken)",
            DiagnosticSeverity.Warning);

        string stub = Assert.Single(result.GeneratedSources, s => s.HintName == "Beans.BeanTasks.Tag.g.cs").SourceText.ToString();
        Assert.Contains(" Enqueue(int id, string label", stub);
        Assert.Contains(" CallLocal(int id, string label)", stub);
        Assert.DoesNotContain(" Recurring(", stub);
        Assert.DoesNotContain(" RunIterations", stub);
        Assert.DoesNotContain(" RunOnce", stub);
        Assert.Contains("(TQ0011)", stub);
    }

    [Fact]
    public void TQ0101_cron_with_four_fields()
    {
        var result = DiagnosticAssert.Single(
            Tasks("    [PeriodicTask(\"*/5 * * *\")] public static void Backup() { }"),
            "TQ0101", "\"*/5 * * *\"", 12,
            "'*/5 * * *' is not a valid cron expression: it has 4 fields; expected 5 (minute hour day-of-month month day-of-week) " +
            "or 6 (a leading seconds field, then those 5)");
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void TQ0101_cron_value_out_of_range_names_the_field_and_its_range()
        => DiagnosticAssert.Single(
            Tasks("    [PeriodicTask(\"0 9-25/2 * * MON-FRI\", TimeZone = \"UTC\")] public static void Backup() { }"),
            "TQ0101", "\"0 9-25/2 * * MON-FRI\"", 12,
            "'0 9-25/2 * * MON-FRI' is not a valid cron expression: 25 is out of range in the hours field '9-25/2'; hours are 0-23");

    [Fact]
    public void TQ0101_cron_from_a_constant()
        => DiagnosticAssert.Single(
            Tasks("    [PeriodicTask(Nightly)] public static void Backup() { }\n    private const string Nightly = \"0 3 * * SUNDAY\";"),
            "TQ0101", "Nightly", 12,
            "'0 3 * * SUNDAY' is not a valid cron expression: the day-of-week field 'SUNDAY' has an unexpected 'D'; write *, ?, a value, a range a-b, " +
            "a step */n, a/n or a-b/n, a list of those, or nL (last n-day of the month), n#k (k-th n-day)");

    [Fact]
    public void TQ0102_unknown_time_zone()
        => DiagnosticAssert.Single(
            Tasks("    [PeriodicTask(\"0 3 * * *\", TimeZone = \"Mars/Olympus_Mons\")] public static void Backup() { }"),
            "TQ0102", "TimeZone = \"Mars/Olympus_Mons\"", 12,
            "'Mars/Olympus_Mons' is not a known time zone id on this machine, so periodic task 'Beans.BeanTasks.Backup' could not be scheduled; " +
            "use an IANA id such as Europe/Berlin, or leave TimeZone out for UTC");

    [Fact]
    public void TQ0103_periodic_task_with_a_payload_parameter()
    {
        var result = DiagnosticAssert.Single(
            Tasks("    [PeriodicTask(\"0 3 * * *\")] public static Task Backup(TaskContext context, int keep, string target, CancellationToken ct) => Task.CompletedTask;"),
            "TQ0103", "int keep", 12,
            "Periodic task 'Beans.BeanTasks.Backup' has the parameter 'keep', but the scheduler enqueues its runs without arguments; remove it " +
            "(only a TaskContext, a CancellationToken and [FromServices] parameters are allowed), or make it a [Task] and schedule it with Recurring(...)");
        Assert.Empty(result.GeneratedSources);
    }

    [Theory]
    [InlineData("[Task, PeriodicTask(\"0 3 * * *\")]")]
    [InlineData("[PeriodicTask(\"0 3 * * *\")] [Task]")]
    public void TQ0104_task_and_periodic_task_on_one_method(string attributes)
    {
        var result = DiagnosticAssert.Single(
            Tasks($"    {attributes} public static void Backup() {{ }}"),
            "TQ0104", "PeriodicTask(\"0 3 * * *\")", 12,
            "Method 'Beans.BeanTasks.Backup' has both [Task] and [PeriodicTask]; keep one: [PeriodicTask] runs it on its schedule and can still be " +
            "enqueued by hand, [Task] only when enqueued");
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void TQ0005_a_periodic_task_named_like_a_task_is_the_later_one()
    {
        var result = DiagnosticAssert.Single(
            Tasks("""
                    [PeriodicTask("0 3 * * *", Name = "beans")] public static void Backup() { }
                    [Task(Name = "beans")] public static void Count() { }
                """),
            "TQ0005", "Name = \"beans\"", 12,
            "Task name 'beans' of 'Beans.BeanTasks.Backup' is already used by 'Beans.BeanTasks.Count'; give one of them a unique [Task(Name = ...)]");
        DiagnosticAssert.NoStubFor(result, "Beans.BeanTasks.Backup.g.cs");
    }

    [Fact]
    public void A_valid_task_still_gets_its_stub_next_to_an_invalid_one()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Compile(Tasks("""
                [Task] public static void Good() { }
                [Task] public void Bad() { }
            """).Replace("public static class BeanTasks", "public class BeanTasks")));

        Assert.Equal("TQ0001", Assert.Single(result.Diagnostics).Id);
        Assert.Equal(["Beans.BeanTasks.Good.g.cs", "TaskQueue.Dispatch.g.cs"], result.GeneratedSources.Select(s => s.HintName).Order());
    }
}
