using System.Text;
using TaskQueue.Storage;
using Xunit;

namespace TaskQueue.Testing;

/// <summary>The contract of unique sends and chords.</summary>
public abstract partial class StorageContractTests
{
    [Fact]
    public async Task A_unique_send_stores_once_while_its_key_is_held_and_again_once_released()
    {
        Assert.True((await Storage.EnqueueUniqueAsync("q", Utf8("first"), "k", "v", TimeSpan.FromMinutes(1))).Stored);
        Assert.False((await Storage.EnqueueUniqueAsync("q", Utf8("second"), "k", "v", TimeSpan.FromMinutes(1))).Stored);
        Assert.True((await Storage.EnqueueUniqueAsync("q", Utf8("other key"), "k2", "v", TimeSpan.FromMinutes(1), priority: 2)).Stored);
        Assert.Equal(["other key", "first"], await PendingText());

        Assert.True(await Storage.ReleaseUniqueAsync("q", "k"));
        Assert.False(await Storage.ReleaseUniqueAsync("q", "k"));
        Assert.True((await Storage.EnqueueUniqueAsync("q", Utf8("third"), "k", "v", TimeSpan.FromMinutes(1))).Stored);
        Assert.Equal(3, await Storage.QueueLengthAsync("q"));
    }

    [Fact]
    public async Task A_unique_send_with_an_eta_goes_to_the_schedule_and_its_key_expires()
    {
        var now = await Storage.GetTimeAsync();
        Assert.True((await Storage.EnqueueUniqueAsync("q", Utf8("later"), "k", "v", TimeSpan.FromMilliseconds(300), eta: now.AddHours(1))).Stored);
        Assert.Equal(0, await Storage.QueueLengthAsync("q"));
        Assert.Equal("later", Encoding.UTF8.GetString(Assert.Single(await Storage.ScheduledAsync(10)).Body));

        await Eventually.UntilAsync(async () => (await Storage.EnqueueUniqueAsync("q", Utf8("after expiry"), "k", "v", TimeSpan.FromMinutes(1))).Stored,
            "the key to expire");
        Assert.Equal(["after expiry"], await PendingText());
    }

    [Fact]
    public async Task A_chord_returns_every_result_in_member_order_once_the_last_member_is_in_and_on_every_call_after()
    {
        var ttl = TimeSpan.FromMinutes(1);
        Assert.Null(await Storage.AddChordResultAsync("c", 2, 3, Utf8("two"), ttl));
        Assert.Null(await Storage.AddChordResultAsync("c", 0, 3, Utf8("zero"), ttl));
        // A member run again replaces what its earlier run recorded.
        Assert.Null(await Storage.AddChordResultAsync("c", 0, 3, Utf8("zero again"), ttl));
        var all = await Storage.AddChordResultAsync("c", 1, 3, Utf8("one"), ttl);
        Assert.Equal(["zero again", "one", "two"], all!.Select(b => Encoding.UTF8.GetString(b)));
        var again = await Storage.AddChordResultAsync("c", 1, 3, Utf8("one"), ttl);
        Assert.Equal(3, again!.Count);
        Assert.Null(await Storage.AddChordResultAsync("other", 0, 2, Utf8("x"), ttl));
    }

    [Fact]
    public async Task A_chord_of_ten_thousand_members_returns_them_all()
    {
        const int count = 10_000;
        var ttl = TimeSpan.FromMinutes(1);
        await Task.WhenAll(Enumerable.Range(1, count - 1).Select(i => Storage.AddChordResultAsync("big", i, count, Utf8(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), ttl).AsTask()));
        var all = await Storage.AddChordResultAsync("big", 0, count, Utf8("0"), ttl);
        Assert.Equal(count, all!.Count);
        Assert.All(Enumerable.Range(0, count), i => Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(all[i])));
    }
}
