using Microsoft.Extensions.DependencyInjection;
using TaskQueue.Consumer;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

/// <summary>One object graph per app: its catalog, its services, who disposes what, options that cannot change under a consumer.</summary>
public sealed class CompositionTests
{
    [Fact]
    public void An_app_takes_every_registered_task_in_its_catalog()
    {
        var app = new TaskApp();

        Assert.True(app.Tasks.TryGet(Add.Name, out var add));
        Assert.Same(Add.Descriptor, add);
        Assert.Contains(app.Tasks.All, t => t.Name == Welcome.Name);
    }

    [Fact]
    public async Task A_consumer_runs_only_what_its_apps_catalog_holds()
    {
        var app = new TaskApp { Tasks = TaskCatalog.Create([Zero.Descriptor]) };
        var options = TestApps.FastOptions();
        options.UnknownTaskGrace = TimeSpan.Zero;
        await using var consumer = new TaskConsumer(app, options);
        consumer.Start();

        Assert.Equal(0, await Zero.With(app).Enqueue().GetAsync(timeout: TestApps.Wait));
        Add.With(app).Enqueue(1, 2);
        await Eventually.UntilAsync(async () => (await app.DeadLettersAsync()).Count == 1, "the unknown task to reach dead letters");
        Assert.Contains($"no task named '{Add.Name}'", (await app.DeadLettersAsync())[0].Reason);
    }

    [Fact]
    public async Task An_app_disposes_the_storage_it_made_but_not_one_it_was_given()
    {
        var given = new MemoryStorage();
        await new TaskApp(given).DisposeAsync();
        Assert.False(given.IsDisposed);

        var own = new TaskApp();
        await own.DisposeAsync();
        Assert.True(((MemoryStorage)own.Storage).IsDisposed);
    }

    [Fact]
    public async Task Changing_the_options_object_after_building_a_consumer_changes_nothing()
    {
        var app = TestApps.Memory();
        var options = TestApps.FastOptions();
        options.ShutdownGrace = TimeSpan.FromSeconds(7);
        await using var consumer = new TaskConsumer(app, options);

        options.Workers = 99;
        options.Queues.Add("sneaky");
        await consumer.StopAsync(grace: TimeSpan.Zero);

        Assert.Equal(2, consumer.Options.Workers);
        Assert.DoesNotContain("sneaky", consumer.Options.Queues);
        Assert.Equal(TimeSpan.FromSeconds(7), options.ShutdownGrace);
    }

    [Fact]
    public async Task A_from_services_parameter_comes_from_a_scope_made_for_each_run_and_disposed_after_it()
    {
        await using var provider = new ServiceCollection().AddScoped<Greeter>().BuildServiceProvider(validateScopes: true);
        var app = new TaskApp { Services = provider };
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();
        string first = "ann-" + Guid.NewGuid().ToString("N"), second = "bob-" + Guid.NewGuid().ToString("N");

        var a = await Welcome.With(app).Enqueue(first).GetAsync(timeout: TestApps.Wait);
        var b = await Welcome.With(app).Enqueue(second).GetAsync(timeout: TestApps.Wait);

        Assert.Equal($"hello {first} from {ServiceTasks.Used[first].Id}", a);
        Assert.StartsWith($"hello {second} from ", b);
        Assert.NotSame(ServiceTasks.Used[first], ServiceTasks.Used[second]);
        Assert.True(ServiceTasks.Used[first].Disposed);
    }

    [Fact]
    public async Task A_missing_registration_fails_the_run_with_a_message_that_names_the_type()
    {
        await using var provider = new ServiceCollection().BuildServiceProvider();
        var app = new TaskApp { Services = provider };
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();

        var e = await Assert.ThrowsAsync<TaskFailedException>(async () => await NeedsUnregistered.With(app).Enqueue(1).GetAsync(timeout: TestApps.Wait));

        Assert.Equal(typeof(InvalidOperationException).FullName, e.RemoteType);
        Assert.Equal($"Task '{NeedsUnregistered.Name}' takes a [FromServices] parameter 'missing' of type System.IFormatProvider, and no service of that type is registered.",
            e.RemoteMessage);
    }

    [Fact]
    public async Task An_app_without_services_says_how_to_give_it_some()
    {
        var app = TestApps.Memory();
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();

        var e = await Assert.ThrowsAsync<TaskFailedException>(async () => await Welcome.With(app).Enqueue("x").GetAsync(timeout: TestApps.Wait));

        Assert.Contains("its app has no services: register TaskQueue with services.AddTaskQueue(...)", e.RemoteMessage);
    }

    [Fact]
    public void CallLocal_resolves_services_from_the_current_app()
    {
        using var provider = new ServiceCollection().AddSingleton<Greeter>().BuildServiceProvider();
        using (new TaskApp { Services = provider }.MakeCurrent())
        {
            Assert.Equal(provider.GetRequiredService<Greeter>().Greet("local"), global::TaskQueue.Tests.Tasks.Welcome.CallLocal("local"));
        }
    }
}
