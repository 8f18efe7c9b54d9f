using TaskQueue.Execution;

namespace TaskQueue.Tests;

/// <summary>The runs an executor has going: a cancel reaches the run of its id only, and a token source is reused only when nobody cancelled it.</summary>
public sealed class RunningTasksTests
{
    [Fact]
    public void A_cancel_fires_the_token_of_the_run_of_its_id_only()
    {
        var running = new RunningTasks();
        using var a = running.Begin("a", CancellationToken.None);
        using var b = running.Begin("b", CancellationToken.None);

        Assert.Equal(1, running.Cancel(["a", "gone"]));

        Assert.True(a.CancelRequested);
        Assert.True(a.Token.IsCancellationRequested);
        Assert.False(b.Token.IsCancellationRequested);
        Assert.Equal(["b"], running.Ids());
        Assert.Equal(0, running.Cancel(["a"]));   // once
    }

    [Fact]
    public void A_run_nobody_cancelled_hands_its_token_source_to_the_next_run_and_a_cancelled_one_does_not()
    {
        var running = new RunningTasks();
        var first = running.Begin("a", CancellationToken.None);
        var token = first.Token;
        first.Dispose();
        var second = running.Begin("b", CancellationToken.None);
        Assert.Equal(token, second.Token);

        running.Cancel(["b"]);
        second.Dispose();
        using var third = running.Begin("c", CancellationToken.None);

        Assert.NotEqual(token, third.Token);
        Assert.False(third.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_cancel_that_comes_after_the_run_ended_reaches_no_later_run()
    {
        var running = new RunningTasks();
        running.Begin("a", CancellationToken.None).Dispose();
        using var next = running.Begin("b", CancellationToken.None);

        Assert.Equal(0, running.Cancel(["a"]));
        Assert.False(next.Token.IsCancellationRequested);
        Assert.Equal(["b"], running.Ids());
    }

    [Fact]
    public void A_run_s_token_fires_with_its_stop_token_and_its_source_is_not_reused_after_that()
    {
        var running = new RunningTasks();
        using var stop = new CancellationTokenSource();
        var run = running.Begin("a", stop.Token);
        var token = run.Token;

        stop.Cancel();
        Assert.True(token.IsCancellationRequested);
        run.Dispose();

        using var other = running.Begin("b", CancellationToken.None);
        Assert.NotEqual(token, other.Token);
        Assert.False(other.Token.IsCancellationRequested);
    }
}
