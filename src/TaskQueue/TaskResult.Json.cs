using TaskQueue.Messages;

namespace TaskQueue;

/// <content>The stored value as JSON, for code that holds only an id (<see cref="TaskApp.Result"/>) or shows results.</content>
public abstract partial class TaskResultBase
{
    /// <summary>
    /// Reads the task's return value as JSON text, waiting for it as <c>GetAsync</c> does (same parameters, same
    /// exceptions): <c>null</c> for a task that returned nothing (with <see cref="TaskApp.StoreNone"/>); a user type shows
    /// as the array of its members, since member names do not travel.
    /// </summary>
    /// <param name="blocking">Wait for it; when false, throw <see cref="TaskResultNotReadyException"/> if it is not there.</param>
    /// <param name="timeout">How long to wait; null waits for ever.</param>
    /// <param name="backoff">Factor by which the pause between polls grows.</param>
    /// <param name="maxDelay">Longest pause between polls (1 s by default).</param>
    /// <param name="revokeOnTimeout">On timeout, revoke the task so it does not start later.</param>
    /// <param name="preserve">Keep the stored result after reading it.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async ValueTask<string> GetJsonAsync(bool blocking = true, TimeSpan? timeout = null, double backoff = 1.15, TimeSpan? maxDelay = null,
        bool revokeOnTimeout = false, bool preserve = false, CancellationToken cancellationToken = default)
        => Json(await WaitAsync(blocking, timeout, backoff, maxDelay, revokeOnTimeout, preserve, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads the value as JSON if it is there, without waiting: <c>Ready</c> is false when nothing is stored yet. Throws <see cref="TaskFailedException"/> when the task failed.</summary>
    public async ValueTask<(bool Ready, string? Json)> TryGetJsonAsync(bool preserve = false, CancellationToken cancellationToken = default)
    {
        var (ready, bytes) = await TryReadAsync(preserve, cancellationToken).ConfigureAwait(false);
        return ready ? (true, Json(bytes)) : (false, null);
    }

    private string Json(ReadOnlyMemory<byte> value)
    {
        try
        {
            return MessagePackJson.ToJson(value);
        }
        catch (Exception e) when (Serialization.Primitives.IsDecodeError(e))
        {
            throw new TaskPayloadException($"the result of task {this} is no MessagePack value: {e.Message}", e);
        }
    }
}
