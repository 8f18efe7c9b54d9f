using System.Diagnostics;
using System.Text;
using TaskQueue.Testing;
using Xunit;
using Xunit.Abstractions;

namespace TaskQueue.Redis.Tests;

/// <summary>Waiting takes block on Redis: they wake at once for a message and stop at once when cancelled.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisTakeWaitTests(RedisServerFixture redis, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RedisStorage storage = redis.CreateStorage();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    // Opening the waiting connection is a one-off cost of the first take, not part of a wake.
    public Task InitializeAsync() => storage.ConnectWaiterAsync("q", "a", "b", "c");

    public async Task DisposeAsync()
    {
        await storage.FlushAsync();
        await storage.DisposeAsync();
    }

    private Task UntilWaitingAsync(int takes) => Eventually.UntilAsync(() => storage.WaitingTakes == takes, $"{takes} takes to wait on Redis");

    [Fact]
    public async Task A_waiting_take_wakes_within_milliseconds_of_an_enqueue()
    {
        var latencies = new List<double>();
        for (int round = 0; round < 20; round++)
        {
            var take = storage.TakeAsync(["q"], "c1", 10, TimeSpan.FromSeconds(10)).AsTask();
            await UntilWaitingAsync(1);
            var clock = Stopwatch.StartNew();
            await storage.EnqueueAsync("q", B($"m{round}"));
            var batch = await take.WaitAsync(TimeSpan.FromSeconds(5));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal($"m{round}", Encoding.UTF8.GetString(Assert.Single(batch.Messages).Body.Span));
        }
        output.WriteLine(string.Join(", ", latencies.Select(l => l.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture))));
        latencies.Sort();
        output.WriteLine($"enqueue → waiting take returned: median {latencies[latencies.Count / 2]:0.00} ms, max {latencies[^1]:0.00} ms");
        Assert.True(latencies[^1] < 500, $"slowest wake took {latencies[^1]:0} ms");
    }

    [Fact]
    public async Task A_take_waiting_on_several_queues_wakes_for_any_of_them_as_fast_as_for_one()
    {
        // Each queue has a blocking connection of its own: a message on the last of three queues
        // wakes the take as soon as one on the only queue would (before, 60 to 150 ms late: the
        // waiter took turns among the queues with short timeouts that Redis checks at its hz).
        var latencies = new List<double>();
        for (int round = 0; round < 15; round++)
        {
            string queue = (round % 3) switch { 0 => "a", 1 => "b", _ => "c" };
            var take = storage.TakeAsync(["a", "b", "c"], "c1", 10, TimeSpan.FromSeconds(10)).AsTask();
            await UntilWaitingAsync(1);
            await Task.Delay(20); // let the blocking commands of all three queues reach Redis
            var clock = Stopwatch.StartNew();
            await storage.EnqueueAsync(queue, B("x"));
            var batch = await take.WaitAsync(TimeSpan.FromSeconds(5));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal(queue, Assert.Single(batch.Messages).Queue);
        }
        latencies.Sort();
        output.WriteLine($"enqueue on one of three queues → waiting take returned: median {latencies[latencies.Count / 2]:0.00} ms, max {latencies[^1]:0.00} ms");
        Assert.True(latencies[^1] < 50, $"slowest wake took {latencies[^1]:0.0} ms");
    }

    [Fact]
    public async Task Cancelling_a_waiting_take_returns_promptly()
    {
        using var cancel = new CancellationTokenSource();
        var take = storage.TakeAsync(["q"], "c1", 10, TimeSpan.FromSeconds(30), cancel.Token).AsTask();
        await UntilWaitingAsync(1);
        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => take.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(500), $"returned after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(0, storage.WaitingTakes);
    }

    [Fact]
    public async Task Concurrent_waiting_takes_each_get_their_own_message()
    {
        var takes = Enumerable.Range(0, 4)
            .Select(i => storage.TakeAsync(["q"], "c" + i, 1, TimeSpan.FromSeconds(10)).AsTask())
            .ToArray();
        await UntilWaitingAsync(4);
        await storage.EnqueueManyAsync("q", [B("1"), B("2"), B("3"), B("4")]);
        var batches = await Task.WhenAll(takes).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["1", "2", "3", "4"], batches.Select(b => Encoding.UTF8.GetString(Assert.Single(b.Messages).Body.Span)).Order());
        Assert.Equal(4, await storage.InFlightCountAsync());
    }

    [Fact]
    public async Task Disposing_the_storage_ends_a_waiting_take()
    {
        var other = redis.CreateStorage();
        var take = other.TakeAsync(["q"], "c1", 10, TimeSpan.FromSeconds(30)).AsTask();
        await Eventually.UntilAsync(() => other.WaitingTakes == 1, "the take to wait");
        await other.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => take.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
