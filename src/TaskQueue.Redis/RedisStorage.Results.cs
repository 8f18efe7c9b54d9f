using StackExchange.Redis;
using TaskQueue.Storage;

namespace TaskQueue.Redis;

/// <content>Results and revocations.</content>
public sealed partial class RedisStorage
{
    /// <inheritdoc />
    /// <remarks>One <c>SET</c> (with <c>PX</c> when <paramref name="ttl"/> is given).</remarks>
    public async ValueTask PutResultAsync(string taskId, ReadOnlyMemory<byte> value, TimeSpan? ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        var key = keys.Result(taskId);
        if (ttl is { } expiry && expiry <= TimeSpan.Zero)
        {
            await db.KeyDeleteAsync(key).ConfigureAwait(false);
            return;
        }
        if (ttl is { } t)
        {
            await db.StringSetAsync(key, value, TimeSpan.FromMilliseconds(RedisRecords.CeilingMs(t))).ConfigureAwait(false);
        }
        else
        {
            await db.StringSetAsync(key, value).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One <c>GET</c>, and when not preserving a found result, a <c>DEL</c> sent without waiting for
    /// its reply. Not a <c>GETDEL</c>: a read whose reply is lost with the connection is read again
    /// after a failure, and must find the result still there.
    /// </remarks>
    public async ValueTask<byte[]?> ReadResultAsync(string taskId, bool preserve, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        var key = keys.Result(taskId);
        var value = (byte[]?)await db.StringGetAsync(key).ConfigureAwait(false);
        if (value is not null && !preserve) await db.KeyDeleteAsync(key, CommandFlags.FireAndForget).ConfigureAwait(false);
        return value;
    }

    private RedisKey[] RevocationKeys => [keys.Revocations, keys.RevocationEnds, keys.Sequence];

    /// <inheritdoc />
    /// <remarks>One script call. The end time is kept to the millisecond.</remarks>
    public async ValueTask RevokeAsync(string target, Revocation revocation, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        RedisValue dropAt = revocation.DropAt is { } at ? at.ToUnixTimeMilliseconds() : RedisValue.EmptyString;
        await db.ScriptEvaluateAsync(LuaScripts.Revoke, RevocationKeys, [target, RedisRecords.FormatRevocation(revocation), dropAt]).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> RestoreAsync(string target, CancellationToken cancellationToken = default)
        => await LookUpRevocationAsync(target, remove: true).ConfigureAwait(false) is not null;

    /// <inheritdoc />
    public async ValueTask<Revocation?> GetRevocationAsync(string target, CancellationToken cancellationToken = default)
        => await LookUpRevocationAsync(target, remove: false).ConfigureAwait(false) is { } record ? RedisRecords.ParseRevocation(record) : null;

    /// <inheritdoc />
    /// <remarks>One script call; Redis <c>TIME</c> decides whether a record still applies.</remarks>
    public async ValueTask<bool> ConsumeRevocationAsync(IReadOnlyList<string> targets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0) return false;
        var args = new RedisValue[targets.Count];
        for (int i = 0; i < args.Length; i++) args[i] = targets[i];
        var reply = await db.ScriptEvaluateAsync(LuaScripts.ConsumeRevocation, RevocationKeys, args).ConfigureAwait(false);
        return (int)reply == 1;
    }

    /// <inheritdoc />
    public async ValueTask<RevocationSet> ReadRevocationsAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.ReadRevocations, [keys.Revocations], [limit]).ConfigureAwait(false))!;
        long version = (long)reply[0];
        if (version == 0) return new RevocationSet(0, new HashSet<string>());
        if (reply.Length == 1) return new RevocationSet(version, null);
        var targets = new HashSet<string>(reply.Length - 1, StringComparer.Ordinal);
        for (int i = 1; i < reply.Length; i++) targets.Add((string)reply[i]!);
        return new RevocationSet(version, targets);
    }

    /// <summary>Drops revocation records past their end or expiry (part of <see cref="ReapAsync"/>).</summary>
    private Task<RedisResult> DropEndedRevocationsAsync() => db.ScriptEvaluateAsync(LuaScripts.DropEndedRevocations, RevocationKeys);

    private async Task<string?> LookUpRevocationAsync(string target, bool remove)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        var reply = await db.ScriptEvaluateAsync(LuaScripts.LookUpRevocation, RevocationKeys, [target, remove ? "1" : "0"])
            .ConfigureAwait(false);
        return reply.IsNull ? null : (string?)reply;
    }
}
