using System.Diagnostics;
using TaskQueue.Storage;

namespace TaskQueue;

public sealed partial class TaskApp
{
    private readonly string producer = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 8);
    private long sends;

    /// <summary>The default <see cref="StorageRetryTime"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultStorageRetryTime = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a client call (enqueue, schedule, reading a result, revoke and restore, inspection,
    /// recurring-task management) keeps retrying a storage that fails with a passing failure
    /// (<see cref="ITaskStorage.IsTransientFailure"/>: unreachable, timed out, failing over) before
    /// it throws <see cref="TaskStorageUnavailableException"/>. The pause between tries grows from
    /// 50 ms to 1 s. Default <see cref="DefaultStorageRetryTime"/>, longer than a Redis replica takes
    /// to be promoted; <see cref="TimeSpan.Zero"/> tries once.
    /// </summary>
    /// <remarks>
    /// A retried enqueue or schedule is stored once (<see cref="SendId"/>); a blocking result wait
    /// rides out failures for as long as its own timeout. Consumers do not use this: they retry
    /// storage for as long as it fails, and report it in their log.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or more than <see cref="MaxStorageRetryTime"/>.</exception>
    public TimeSpan StorageRetryTime
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxStorageRetryTime);
            field = value;
        }
    } = DefaultStorageRetryTime;

    /// <summary>
    /// The longest <see cref="StorageRetryTime"/>: 5 minutes, half of <see cref="SendId.RememberedFor"/>,
    /// so that a storage still remembers a send when the last retry of it arrives.
    /// </summary>
    public static readonly TimeSpan MaxStorageRetryTime = TimeSpan.FromMinutes(5);

    /// <summary>A new send id of this app: a retry of the call it names stores nothing twice.</summary>
    internal SendId NewSend() => new(producer, Interlocked.Increment(ref sends));

    /// <summary>
    /// Runs one client call on the storage, retrying passing failures for <see cref="StorageRetryTime"/>
    /// with a growing pause, then throwing <see cref="TaskStorageUnavailableException"/>.
    /// </summary>
    /// <param name="operation">What the call does, for the exception ("enqueue task").</param>
    /// <param name="subject">What it does it to, when anything ("CountBeans"); joined to the operation only if it throws.</param>
    /// <param name="state">What <paramref name="call"/> needs, passed without a closure.</param>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Stops the call and the retries.</param>
    internal async ValueTask<TResult> CallStorageAsync<TState, TResult>(string operation, string? subject, TState state,
        Func<ITaskStorage, TState, CancellationToken, ValueTask<TResult>> call, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(50);
        int failures = 0;
        while (true)
        {
            try
            {
                return await call(Storage, state, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && Storage.IsTransientFailure(e))
            {
                failures++;
                var elapsed = Stopwatch.GetElapsedTime(started);
                var left = StorageRetryTime - elapsed;
                if (left <= TimeSpan.Zero) throw new TaskStorageUnavailableException(subject is null ? operation : operation + " " + subject, elapsed, failures, e);
                await Task.Delay(pause < left ? pause : left, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.TicksPerSecond));
            }
        }
    }

    /// <inheritdoc cref="CallStorageAsync{TState, TResult}"/>
    internal async ValueTask CallStorageAsync<TState>(string operation, string? subject, TState state,
        Func<ITaskStorage, TState, CancellationToken, ValueTask> call, CancellationToken cancellationToken)
        => await CallStorageAsync(operation, subject, (state, call), static async (storage, s, ct) =>
        {
            await s.call(storage, s.state, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
}
