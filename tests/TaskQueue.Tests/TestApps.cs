using Microsoft.Extensions.Time.Testing;
using TaskQueue.Consumer;
using TaskQueue.Storage;

namespace TaskQueue.Tests;

internal static class TestApps
{
    public static TaskApp Memory(TimeProvider? time = null, bool storeNone = false) =>
        new(new MemoryStorage(time), time) { StoreNone = storeNone };

    public static (TaskApp App, FakeTimeProvider Time) WithFakeTime()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        return (new TaskApp(new MemoryStorage(time), time), time);
    }

    public static ConsumerOptions FastOptions(int workers = 2) => new()
    {
        Workers = workers,
        TakeWait = TimeSpan.FromMilliseconds(200),
        SchedulerInterval = TimeSpan.FromMilliseconds(10),
        ShutdownGrace = TimeSpan.FromSeconds(10),
    };

    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
}
