using TaskQueue.Storage;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

public sealed class MemoryStorageContractTests : StorageContractTests
{
    protected override Task<ITaskStorage> CreateStorageAsync() => Task.FromResult<ITaskStorage>(new MemoryStorage());

    protected override bool Deduplicates => false;
}

public sealed class MemoryStorageHousekeepingTests
{
    [Fact]
    public async Task The_reaper_drops_expired_results_nobody_read()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var storage = new MemoryStorage(time);
        await storage.PutResultAsync("old", new byte[] { 1 }, TimeSpan.FromMinutes(1));
        await storage.PutResultAsync("kept", new byte[] { 2 }, TimeSpan.FromHours(1));
        await storage.PutResultAsync("forever", new byte[] { 3 }, null);
        time.Advance(TimeSpan.FromMinutes(2));

        await storage.ReapAsync(5);

        Assert.Equal(2, storage.ResultCount);
        Assert.Equal([2], await storage.ReadResultAsync("kept", preserve: true));
    }
}
