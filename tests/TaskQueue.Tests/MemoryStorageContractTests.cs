using TaskQueue.Storage;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

public sealed class MemoryStorageContractTests : StorageContractTests
{
    protected override Task<ITaskStorage> CreateStorageAsync() => Task.FromResult<ITaskStorage>(new MemoryStorage());
}
