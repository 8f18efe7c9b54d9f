using System.Text;
using TaskQueue.Storage;
using Xunit;

namespace TaskQueue.Testing;

public abstract partial class StorageContractTests
{
    // ---- unique sends and rate limits ---------------------------------------------------------

    [Fact]
    public async Task A_unique_send_stores_once_while_its_key_is_held_and_tells_the_others_the_holder_s_value()
    {
        var first = await Storage.EnqueueUniqueAsync("q", Encoding.UTF8.GetBytes("a"), "k", "id-a", TimeSpan.FromMinutes(1));
        var second = await Storage.EnqueueUniqueAsync("q", Encoding.UTF8.GetBytes("b"), "k", "id-b", TimeSpan.FromMinutes(1));
        var other = await Storage.EnqueueUniqueAsync("q", Encoding.UTF8.GetBytes("c"), "other", "id-c", TimeSpan.FromMinutes(1));

        Assert.Equal(new UniqueSend(true, "id-a"), first);
        Assert.Equal(new UniqueSend(false, "id-a"), second);
        Assert.Equal(new UniqueSend(true, "id-c"), other);
        var batch = await Storage.TakeAsync(["q"], "c1", 10, TimeSpan.FromMilliseconds(10));
        Assert.Equal(["a", "c"], batch.Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
    }

    [Fact]
    public async Task A_unique_key_is_released_only_for_the_value_it_holds_or_for_anyone_without_one()
    {
        await Storage.EnqueueUniqueAsync("q", Encoding.UTF8.GetBytes("a"), "k", "id-a", TimeSpan.FromMinutes(1));

        Assert.False(await Storage.ReleaseUniqueAsync("q", "k", "id-other"));
        Assert.False((await Storage.EnqueueUniqueAsync("q", Encoding.UTF8.GetBytes("b"), "k", "id-b", TimeSpan.FromMinutes(1))).Stored);
        Assert.True(await Storage.ReleaseUniqueAsync("q", "k", "id-a"));
        Assert.False(await Storage.ReleaseUniqueAsync("q", "k", "id-a"));
        Assert.Equal(new UniqueSend(true, "id-c"), await Storage.EnqueueUniqueAsync("q", Encoding.UTF8.GetBytes("c"), "k", "id-c", TimeSpan.FromMinutes(1)));
        Assert.True(await Storage.ReleaseUniqueAsync("q", "k"));
        Assert.True((await Storage.EnqueueUniqueAsync("q", Encoding.UTF8.GetBytes("d"), "k", "id-d", TimeSpan.FromMinutes(1))).Stored);
    }

    [Fact]
    public async Task A_unique_key_expires_after_its_time_to_live()
    {
        await Storage.EnqueueUniqueAsync("q", Encoding.UTF8.GetBytes("a"), "k", "id-a", TimeSpan.FromMilliseconds(300));
        await Eventually.UntilAsync(async () => (await Storage.EnqueueUniqueAsync("q", Encoding.UTF8.GetBytes("b"), "k", "id-b", TimeSpan.FromMinutes(1))).Stored,
            "the key to expire", TimeSpan.FromSeconds(10));
        Assert.Equal(new UniqueSend(false, "id-b"), await Storage.EnqueueUniqueAsync("q", Encoding.UTF8.GetBytes("c"), "k", "id-c", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_unique_send_with_an_eta_goes_to_the_schedule()
    {
        var eta = (await Storage.GetTimeAsync()).AddHours(1);
        Assert.True((await Storage.EnqueueUniqueAsync("q", Encoding.UTF8.GetBytes("later"), "k", "id", TimeSpan.FromHours(2), eta)).Stored);
        Assert.Equal(0, await Storage.QueueLengthAsync("q"));
        var scheduled = Assert.Single(await Storage.ScheduledAsync(10));
        Assert.Equal("later", Encoding.UTF8.GetString(scheduled.Body));
        Assert.Equal(eta.ToUnixTimeMilliseconds(), scheduled.Eta.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task A_rate_limit_allows_its_count_of_starts_per_period_then_says_when_the_next_is_allowed()
    {
        var period = TimeSpan.FromSeconds(30);
        for (int i = 0; i < 3; i++) Assert.Equal(new RateLimitResult(true, TimeSpan.Zero), await Storage.TryStartAsync("limit", 3, period));

        var refused = await Storage.TryStartAsync("limit", 3, period);
        Assert.False(refused.Allowed);
        Assert.InRange(refused.RetryAfter, period - TimeSpan.FromSeconds(5), period);
        // Another limit counts apart; a lower count for the same one waits for more starts to leave.
        Assert.True((await Storage.TryStartAsync("another", 3, period)).Allowed);
        Assert.False((await Storage.TryStartAsync("limit", 1, period)).Allowed);
    }

    [Fact]
    public async Task A_rate_limit_window_slides_so_a_start_is_allowed_again_once_the_oldest_leaves_it()
    {
        var period = TimeSpan.FromMilliseconds(400);
        Assert.True((await Storage.TryStartAsync("limit", 2, period)).Allowed);
        Assert.True((await Storage.TryStartAsync("limit", 2, period)).Allowed);
        var refused = await Storage.TryStartAsync("limit", 2, period);
        Assert.False(refused.Allowed);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromMilliseconds(1), period);

        await Eventually.UntilAsync(async () => (await Storage.TryStartAsync("limit", 2, period)).Allowed, "a start to leave the window", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_rate_limit_refuses_a_count_below_one_or_an_empty_period_and_flush_forgets_its_starts()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Storage.TryStartAsync("limit", 0, TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Storage.TryStartAsync("limit", 1, TimeSpan.Zero));

        Assert.True((await Storage.TryStartAsync("limit", 1, TimeSpan.FromMinutes(5))).Allowed);
        Assert.False((await Storage.TryStartAsync("limit", 1, TimeSpan.FromMinutes(5))).Allowed);
        await Storage.FlushAsync();
        Assert.True((await Storage.TryStartAsync("limit", 1, TimeSpan.FromMinutes(5))).Allowed);
    }
}
