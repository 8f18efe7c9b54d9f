namespace TaskQueue.Consumer;

/// <summary>
/// The skeleton the consumer's loops share: run a step, sleep as long as it asks, until stopped. A
/// storage failure goes to <see cref="StorageFaults"/> and the loop backs off (50 ms doubling to 2 s),
/// so that nothing spins against a storage that fails at once, and recovery is seen within 2 s.
/// Time is the app's <see cref="TimeProvider"/>.
/// </summary>
internal abstract class ConsumerLoop(StorageOperation operation, StorageFaults faults, TimeProvider time)
{
    private static readonly TimeSpan FirstBackOff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(2);

    protected StorageFaults Faults { get; } = faults;

    protected TimeProvider Time { get; } = time;

    /// <summary>Runs steps until <paramref name="token"/> fires; never throws.</summary>
    public async Task RunAsync(CancellationToken token)
    {
        await Task.Yield();
        var backOff = FirstBackOff;
        while (!token.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await StepAsync(token).ConfigureAwait(false);
                Faults.Succeeded(operation);
                backOff = FirstBackOff;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Faults.Failed(operation, e);
                wait = backOff;
                backOff = Doubled(backOff);
            }
            if (wait > TimeSpan.Zero && !await SleepAsync(wait, token).ConfigureAwait(false)) break;
        }
    }

    private static TimeSpan Doubled(TimeSpan backOff) => TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, MaxBackOff.Ticks));

    /// <summary>How long to sleep before <paramref name="next"/> (by the storage clock's <paramref name="now"/>), at most <paramref name="interval"/>.</summary>
    protected static TimeSpan Until(DateTimeOffset? next, DateTimeOffset now, TimeSpan interval)
        => next is { } n && n - now < interval ? n - now : interval;

    /// <summary>Does one round of the loop's work; returns how long to sleep before the next (zero: go on at once).</summary>
    protected abstract ValueTask<TimeSpan> StepAsync(CancellationToken token);

    /// <summary>Sleeps for <paramref name="wait"/>; false when <paramref name="token"/> fired first.</summary>
    protected async ValueTask<bool> SleepAsync(TimeSpan wait, CancellationToken token)
    {
        try
        {
            await Task.Delay(wait, Time, token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Calls <paramref name="call"/> until it succeeds (true) or <paramref name="token"/> fires (false),
    /// with the loop's back-off: for writes that must not be dropped (results, heartbeats).
    /// </summary>
    protected async ValueTask<bool> UntilDoneAsync(StorageOperation what, Func<CancellationToken, ValueTask> call, CancellationToken token)
    {
        var backOff = FirstBackOff;
        while (true)
        {
            try
            {
                await call(token).ConfigureAwait(false);
                Faults.Succeeded(what);
                return true;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e)
            {
                Faults.Failed(what, e);
                if (!await SleepAsync(backOff, token).ConfigureAwait(false)) return false;
                backOff = Doubled(backOff);
            }
        }
    }
}
