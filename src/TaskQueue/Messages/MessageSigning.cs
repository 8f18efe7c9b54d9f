using System.Security.Cryptography;
using System.Text;

namespace TaskQueue.Messages;

/// <summary>A named secret for <see cref="MessageSigning"/>.</summary>
public sealed class MessageSigningKey
{
    /// <summary>The longest key id, in UTF-8 bytes.</summary>
    public const int MaxIdLength = 64;

    /// <summary>The shortest secret accepted, in bytes.</summary>
    public const int MinSecretLength = 16;

    /// <summary>Creates a key.</summary>
    /// <param name="id">Names the key in each message it signs, so that a consumer knows which secret to check with (for example <c>2026-11</c>).</param>
    /// <param name="secret">At least 16 random bytes (32 recommended), the same on every producer and consumer.</param>
    /// <exception cref="ArgumentException">The id is empty or longer than 64 bytes, or the secret is shorter than 16 bytes.</exception>
    public MessageSigningKey(string id, byte[] secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(secret);
        IdBytes = Encoding.UTF8.GetBytes(id);
        if (IdBytes.Length > MaxIdLength) throw new ArgumentException($"the key id is {IdBytes.Length} bytes; at most {MaxIdLength} are allowed", nameof(id));
        if (secret.Length < MinSecretLength) throw new ArgumentException($"the secret is {secret.Length} bytes; at least {MinSecretLength} are needed", nameof(secret));
        Id = id;
        Secret = [.. secret];
    }

    /// <summary>The key's id.</summary>
    public string Id { get; }

    internal byte[] IdBytes { get; }

    internal byte[] Secret { get; }

    /// <summary>
    /// Reads a key written as <c>id:base64</c> (the form configuration and environment variables use).
    /// </summary>
    /// <exception cref="FormatException">The text is not <c>id:base64</c>.</exception>
    public static MessageSigningKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) throw new FormatException("a signing key is written as id:base64 (for example 2026-11:q3v…=)");
        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(text[(colon + 1)..].Trim());
        }
        catch (FormatException)
        {
            throw new FormatException($"the secret of signing key '{Texts.Cut(text[..colon])}' is not base64");
        }
        try
        {
            return new MessageSigningKey(text[..colon].Trim(), secret);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"signing key '{Texts.Cut(text[..colon])}': {e.Message}", e);
        }
    }
}

/// <summary>
/// Signs every message an app sends with HMAC-SHA256 and checks the signature of every message it
/// runs: a message without a valid signature (written to Redis by anyone else, or changed on the
/// way) goes to dead letters with the reason and never runs (huey's signed serializer).
/// </summary>
/// <remarks>
/// <para>Rotation: sign with the new key everywhere while consumers still accept the old one
/// (<c>new MessageSigning(newKey, oldKey)</c> on consumers first, then producers), and drop the old
/// key once no message signed with it is queued or scheduled.</para>
/// <para>A signed message is one marker byte (<c>0xC1</c>, which never starts a MessagePack value),
/// the key id's length and UTF-8 bytes, the 32-byte HMAC-SHA256 over the id and the envelope, then
/// the envelope. Signing checks integrity and origin; it does not hide the arguments.</para>
/// </remarks>
public sealed class MessageSigning
{
    /// <summary>The first byte of a signed message.</summary>
    internal const byte Marker = 0xC1;

    private const int MacLength = 32;
    private readonly MessageSigningKey current;
    private readonly Dictionary<string, MessageSigningKey> accepted = new(StringComparer.Ordinal);

    /// <summary>Signs with <paramref name="current"/>; accepts messages signed with it or any of <paramref name="previous"/>.</summary>
    /// <exception cref="ArgumentException">Two keys have the same id.</exception>
    public MessageSigning(MessageSigningKey current, params IEnumerable<MessageSigningKey> previous)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(previous);
        this.current = current;
        foreach (var key in previous.Prepend(current))
        {
            ArgumentNullException.ThrowIfNull(key, nameof(previous));
            if (!accepted.TryAdd(key.Id, key)) throw new ArgumentException($"two signing keys have the id '{Texts.Cut(key.Id)}'", nameof(previous));
        }
    }

    /// <summary>The id of the key new messages are signed with.</summary>
    public string CurrentKeyId => current.Id;

    /// <summary>The ids of the keys whose signatures are accepted, the current one first.</summary>
    public IReadOnlyList<string> AcceptedKeyIds => [.. accepted.Keys];

    /// <summary>Reads keys from text: <c>id:base64</c> entries separated by commas or semicolons, the current key first.</summary>
    /// <exception cref="FormatException">An entry is not <c>id:base64</c>, or there is none.</exception>
    public static MessageSigning Parse(string keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var parsed = keys.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(MessageSigningKey.Parse).ToList();
        if (parsed.Count == 0) throw new FormatException("no signing key given");
        try
        {
            return new MessageSigning(parsed[0], parsed.Skip(1));
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>The signed form of an encoded envelope.</summary>
    internal byte[] Sign(ReadOnlySpan<byte> envelope)
    {
        var id = current.IdBytes;
        var signed = new byte[2 + id.Length + MacLength + envelope.Length];
        signed[0] = Marker;
        signed[1] = (byte)id.Length;
        id.CopyTo(signed, 2);
        envelope.CopyTo(signed.AsSpan(2 + id.Length + MacLength));
        Mac(current.Secret, id, envelope, signed.AsSpan(2 + id.Length, MacLength));
        return signed;
    }

    /// <summary>The envelope inside a signed message whose signature holds.</summary>
    /// <exception cref="TaskPayloadException">The message is not signed, or not with an accepted key, or its signature does not match.</exception>
    internal ReadOnlyMemory<byte> Verify(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        if (span.Length == 0 || span[0] != Marker) throw new TaskPayloadException("bad signature: the message is not signed, and this app accepts only signed messages");
        if (span.Length < 2 || span.Length < 2 + span[1] + MacLength) throw new TaskPayloadException("bad signature: the message is too short for its signature");
        int idLength = span[1];
        var idBytes = span.Slice(2, idLength);
        string id = Encoding.UTF8.GetString(idBytes);
        if (!accepted.TryGetValue(id, out var key))
        {
            throw new TaskPayloadException($"bad signature: signed with key '{Texts.Cut(id)}', which this app does not accept (it accepts {string.Join(", ", accepted.Keys.Select(k => $"'{k}'"))})");
        }
        var envelope = message[(2 + idLength + MacLength)..];
        Span<byte> expected = stackalloc byte[MacLength];
        Mac(key.Secret, idBytes, envelope.Span, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, span.Slice(2 + idLength, MacLength)))
        {
            throw new TaskPayloadException($"bad signature: the signature does not match the message (key '{Texts.Cut(id)}'): it was changed, or signed with another secret");
        }
        return envelope;
    }

    private static void Mac(byte[] secret, ReadOnlySpan<byte> id, ReadOnlySpan<byte> envelope, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        hmac.AppendData(id);
        hmac.AppendData(envelope);
        hmac.GetHashAndReset(destination);
    }
}
