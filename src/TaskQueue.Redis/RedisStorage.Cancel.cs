using StackExchange.Redis;

namespace TaskQueue.Redis;

/// <content>Requests to cancel runs by id.</content>
public sealed partial class RedisStorage
{
    /// <inheritdoc />
    /// <remarks>One script on the application's slot, which also drops up to 100 expired requests.</remarks>
    public async ValueTask RequestCancelAsync(string taskId, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        await db.ScriptEvaluateAsync(LuaScripts.RequestCancel, [keys.CancelRequests, keys.CancelRequestEnds],
            [taskId, RedisRecords.CeilingMs(ttl)]).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One script on the application's slot (an <c>HMGET</c> of the ids); no call for no ids.</remarks>
    public async ValueTask<IReadOnlyList<string>> ReadCancelRequestsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        if (taskIds.Count == 0) return [];
        var ids = new RedisValue[taskIds.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = taskIds[i];
        var reply = (RedisValue[])(await db.ScriptEvaluateAsync(LuaScripts.ReadCancelRequests, [keys.CancelRequests], ids).ConfigureAwait(false))!;
        if (reply.Length == 0) return [];
        var found = new string[reply.Length];
        for (int i = 0; i < found.Length; i++) found[i] = reply[i]!;
        return found;
    }
}
