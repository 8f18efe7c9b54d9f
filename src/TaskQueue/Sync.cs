namespace TaskQueue;

/// <summary>
/// The synchronous members (<c>Enqueue</c>, <c>Get</c>, <c>Revoke</c>) wait on the asynchronous ones
/// here. Storage calls complete on the storage's own threads (the in-memory storage completes at
/// once), so waiting cannot deadlock on a synchronization context; async code should still prefer
/// the <c>...Async</c> members.
/// </summary>
internal static class Sync
{
    public static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    public static void Wait(ValueTask task)
    {
        if (task.IsCompletedSuccessfully) return;
        task.AsTask().GetAwaiter().GetResult();
    }
}
