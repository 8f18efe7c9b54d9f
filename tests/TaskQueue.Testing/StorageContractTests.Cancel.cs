using Xunit;

namespace TaskQueue.Testing;

/// <content>Requests to cancel runs by id.</content>
public abstract partial class StorageContractTests
{
    [Fact]
    public async Task A_cancel_request_is_read_back_for_its_id_and_no_other()
    {
        await Storage.RequestCancelAsync("t1", TimeSpan.FromMinutes(1));
        await Storage.RequestCancelAsync("t3", TimeSpan.FromMinutes(1));

        Assert.Equal(["t1", "t3"], (await Storage.ReadCancelRequestsAsync(["t1", "t2", "t3", "t4"])).Order());
        Assert.Empty(await Storage.ReadCancelRequestsAsync(["t2"]));
        Assert.Empty(await Storage.ReadCancelRequestsAsync([]));
    }

    [Fact]
    public async Task A_cancel_request_expires_after_its_time_to_live_and_a_second_request_renews_it()
    {
        await Storage.RequestCancelAsync("short", TimeSpan.FromMilliseconds(200));
        await Storage.RequestCancelAsync("renewed", TimeSpan.FromMilliseconds(200));
        await Storage.RequestCancelAsync("renewed", TimeSpan.FromMinutes(1));
        Assert.Equal(["renewed", "short"], (await Storage.ReadCancelRequestsAsync(["short", "renewed"])).Order());

        await Eventually.UntilAsync(async () => (await Storage.ReadCancelRequestsAsync(["short"])).Count == 0, "the short request to expire");
        // A request made after the expiry drops it for good (the storage's own housekeeping).
        await Storage.RequestCancelAsync("later", TimeSpan.FromMinutes(1));

        Assert.Equal(["later", "renewed"], (await Storage.ReadCancelRequestsAsync(["short", "renewed", "later"])).Order());
    }

    [Fact]
    public async Task Flush_removes_cancel_requests()
    {
        await Storage.RequestCancelAsync("t1", TimeSpan.FromMinutes(1));

        await Storage.FlushAsync();

        Assert.Empty(await Storage.ReadCancelRequestsAsync(["t1"]));
    }
}
