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
            "Parameter 'retries' of task 'Beans.BeanTasks.Retry' has a name the generated stubs use for their own parameters; rename it (retries, retryDelay, delay, eta, cancellationToken, arguments and count are taken)");

    [Fact]
    public void TQ0009_negative_retries()
        => DiagnosticAssert.Single(
            Tasks("    [Task(Retries = -1)] public static void Flaky() { }"),
            "TQ0009", "Retries = -1", 12,
            "[Task] on 'Beans.BeanTasks.Flaky' has an invalid Retries: -1 is negative; use 0 or more");

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
