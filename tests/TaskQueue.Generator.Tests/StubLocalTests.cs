using TaskQueue.Generator.Tests.Tasks;

namespace TaskQueue.Generator.Tests;

/// <summary>The generated members that need no app: names, descriptors, <c>CallLocal</c>, and the module initializer.</summary>
public sealed class StubLocalTests
{
    [Fact]
    public void CallLocal_returns_what_the_method_returns()
    {
        Assert.Equal("local", Echo.CallLocal("local"));
        Assert.Equal(11, Add.CallLocal(1));
        Assert.Equal(3, CountNodes.CallLocal(new TreeNode("r", [new("a", []), new("b", [])])));
    }

    [Fact]
    public async Task CallLocal_passes_a_local_context_and_the_token()
    {
        using var cts = new CancellationTokenSource();

        Assert.Equal($"{Describe.Name}:2:0", await Describe.CallLocal(2, cts.Token));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Describe.CallLocal(2, cts.Token));
    }

    [Fact]
    public void Names_default_to_the_qualified_method()
    {
        Assert.Equal("TaskQueue.Generator.Tests.Tasks.SampleTasks.Echo", Echo.Name);
        Assert.Equal(Echo.Name, Echo.Descriptor.Name);
    }

    [Fact]
    public void Descriptors_carry_the_attribute_values()
    {
        Assert.Equal(2, Echo.Descriptor.Retries);
        Assert.Equal(TimeSpan.FromSeconds(5), Echo.Descriptor.RetryDelay);
        Assert.Equal(TaskDescriptor.DefaultQueue, Echo.Descriptor.Queue);
        Assert.Equal("orders", Summarize.Descriptor.Queue);
    }

    [Fact]
    public void The_module_initializer_registered_every_task()
    {
        string[] names = [Echo.Name, Add.Name, Ping.Name, Remember.Name, Summarize.Name, CountNodes.Name, Mirror.Name, EchoBag.Name,
            EchoScalars.Name, ScalarArguments.Name, Collections.Name, Configure.Name, Describe.Name, Fail.Name, Maybe.Name, Pick.Name];

        foreach (var name in names)
        {
            Assert.True(TaskCatalog.Registered.TryGet(name, out var descriptor), name);
            Assert.Equal(name, descriptor.Name);
        }
        Assert.True(TaskCatalog.Registered.TryGet(Echo.Name, out var echo));
        Assert.Same(Echo.Descriptor, echo);
    }

    [Fact]
    public void A_default_bound_struct_says_how_to_make_one()
    {
        var error = Assert.Throws<InvalidOperationException>(() => default(Echo.Bound).Enqueue("x"));

        Assert.Contains("With(app)", error.Message);
    }
}
