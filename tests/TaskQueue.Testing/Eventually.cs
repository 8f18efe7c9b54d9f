using System.Diagnostics;

namespace TaskQueue.Testing;

/// <summary>Waits on conditions with a deadline instead of sleeping and hoping.</summary>
public static class Eventually
{
    /// <summary>The default deadline: generous, because CI machines are shared.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test with <paramref name="what"/> at the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit) throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for: {what}");
            await Task.Delay(10);
        }
    }

    /// <inheritdoc cref="UntilAsync(Func{Task{bool}}, string, TimeSpan?)"/>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
        => UntilAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Polls <paramref name="read"/> until it returns a value; fails at the deadline.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> read, string what, TimeSpan? timeout = null) where T : class
    {
        T? value = null;
        await UntilAsync(async () => (value = await read()) is not null, what, timeout);
        return value!;
    }
}
