using System.Buffers.Binary;
using MessagePack;

namespace TaskQueue.Fuzzing;

/// <summary>
/// Turns a valid encoding into a hostile one: one change that knows the structure (a header claiming
/// more, a value of another type, an extreme integer, a value wrapped in many arrays), then up to two
/// blind ones (bit flips, truncation, bytes inserted or deleted); now and then plain random bytes.
/// </summary>
public static class Mutator
{
    /// <summary>Type codes worth putting where another type was: every family, their boundaries, and the unused 0xc1.</summary>
    private static readonly byte[] TypeCodes =
    [
        0xc0, 0xc1, 0xc2, 0xc3, 0x00, 0x7f, 0xe0, 0xff, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xca, 0xcb,
        0xa0, 0xa5, 0xbf, 0xd9, 0xda, 0xdb, 0xc4, 0xc5, 0xc6, 0x90, 0x91, 0x9f, 0xdc, 0xdd, 0x80, 0x81, 0x8f, 0xde, 0xdf,
        0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8,
    ];

    /// <summary>Integers at the edges of every width, encoded.</summary>
    private static readonly byte[][] ExtremeIntegers =
    [
        [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0],
        [0xd3, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        [0xce, 0xff, 0xff, 0xff, 0xff],
        [0xd2, 0x80, 0, 0, 0],
        [0xcd, 0xff, 0xff],
        [0xd1, 0x80, 0],
        [0xcc, 0xff],
        [0xd0, 0x80],
        [0xff],
        [0x7f],
        [0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0],
    ];

    private static readonly int[] NestingDepths = [2, 10, 100, 499, 501, 2_000, 100_000];

    private enum Token { ArrayHeader, MapHeader, Text, Binary, Integer, Other }

    /// <summary>A mutation of <paramref name="seed"/> and what was done, for a failure's message.</summary>
    public static (byte[] Input, string Description) Mutate(byte[] seed, Random rng)
    {
        if (rng.Next(50) == 0)
        {
            var junk = new byte[rng.Next(65)];
            rng.NextBytes(junk);
            return (junk, $"{junk.Length} random bytes");
        }
        var steps = new List<string>();
        var bytes = new List<byte>(seed);
        var tokens = Walk(seed);
        if (tokens.Count > 0 && rng.Next(4) != 0)
        {
            var (at, length, kind) = tokens[rng.Next(tokens.Count)];
            steps.Add(rng.Next(4) switch
            {
                0 when kind is Token.ArrayHeader or Token.MapHeader or Token.Text or Token.Binary => Inflate(bytes, at, rng),
                1 when kind == Token.Integer => Replace(bytes, at, length, ExtremeIntegers[rng.Next(ExtremeIntegers.Length)], "extreme integer"),
                2 => Nest(bytes, at, rng),
                _ => Retype(bytes, at, rng),
            });
        }
        for (int blind = rng.Next(tokens.Count == 0 || steps.Count == 0 ? 1 : 0, 3); blind > 0 && bytes.Count > 0; blind--)
        {
            steps.Add(Blind(bytes, rng));
        }
        return ([.. bytes], string.Join("; ", steps));
    }

    private static string Blind(List<byte> bytes, Random rng)
    {
        int at = rng.Next(bytes.Count);
        switch (rng.Next(4))
        {
            case 0:
                int bit = rng.Next(8);
                bytes[at] ^= (byte)(1 << bit);
                return $"flip bit {bit} at {at}";
            case 1:
                bytes.RemoveRange(at, bytes.Count - at);
                return $"truncate at {at}";
            case 2:
                var inserted = Enumerable.Range(0, rng.Next(1, 5)).Select(_ => rng.Next(2) == 0 ? TypeCodes[rng.Next(TypeCodes.Length)] : (byte)rng.Next(256)).ToArray();
                bytes.InsertRange(at, inserted);
                return $"insert {Convert.ToHexString(inserted)} at {at}";
            default:
                int count = Math.Min(rng.Next(1, 5), bytes.Count - at);
                bytes.RemoveRange(at, count);
                return $"delete {count} at {at}";
        }
    }

    /// <summary>Rewrites a header in its 32-bit form, claiming one more, twice as many, every byte left, or the most a header can.</summary>
    private static string Inflate(List<byte> bytes, int at, Random rng)
    {
        byte code = bytes[at];
        var (wide, headerLength) = code switch
        {
            >= 0x90 and <= 0x9f => ((byte)0xdd, 1),
            0xdc => ((byte)0xdd, 3),
            0xdd => ((byte)0xdd, 5),
            >= 0x80 and <= 0x8f => ((byte)0xdf, 1),
            0xde => ((byte)0xdf, 3),
            0xdf => ((byte)0xdf, 5),
            >= 0xa0 and <= 0xbf => ((byte)0xdb, 1),
            0xd9 => ((byte)0xdb, 2),
            0xda => ((byte)0xdb, 3),
            0xdb => ((byte)0xdb, 5),
            0xc4 => ((byte)0xc6, 2),
            0xc5 => ((byte)0xc6, 3),
            _ => ((byte)0xc6, 5),
        };
        uint count = code switch
        {
            >= 0x80 and <= 0x9f => (uint)(code & 0x0f),
            >= 0xa0 and <= 0xbf => (uint)(code & 0x1f),
            0xd9 or 0xc4 => bytes[at + 1],
            0xdc or 0xde or 0xda or 0xc5 => (uint)(bytes[at + 1] << 8 | bytes[at + 2]),
            _ => (uint)(bytes[at + 1] << 24 | bytes[at + 2] << 16 | bytes[at + 3] << 8 | bytes[at + 4]),
        };
        long left = bytes.Count - at - headerLength;
        uint claim = rng.Next(7) switch
        {
            0 => count + 1,
            1 => count * 2 + 1,
            2 => (uint)left,
            3 => (uint)left + 1,
            4 => (uint)(left / 2),
            5 => int.MaxValue,
            _ => uint.MaxValue,
        };
        var header = new byte[5];
        header[0] = wide;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), claim);
        bytes.RemoveRange(at, headerLength);
        bytes.InsertRange(at, header);
        return $"header at {at} claims {claim} instead of {count}";
    }

    private static string Replace(List<byte> bytes, int at, int length, byte[] with, string what)
    {
        bytes.RemoveRange(at, length);
        bytes.InsertRange(at, with);
        return $"{what} {Convert.ToHexString(with)} at {at}";
    }

    private static string Nest(List<byte> bytes, int at, Random rng)
    {
        int depth = NestingDepths[rng.Next(NestingDepths.Length)];
        bytes.InsertRange(at, Enumerable.Repeat((byte)0x91, depth));
        return $"value at {at} wrapped in {depth} arrays";
    }

    private static string Retype(List<byte> bytes, int at, Random rng)
    {
        byte code = TypeCodes[rng.Next(TypeCodes.Length)];
        byte was = bytes[at];
        bytes[at] = code;
        return $"type byte at {at} {was:x2} -> {code:x2}";
    }

    /// <summary>Every value's start, in order, with the length of its first part (a header, or the whole scalar).</summary>
    private static List<(int At, int Length, Token Kind)> Walk(byte[] bytes)
    {
        var tokens = new List<(int, int, Token)>();
        var reader = new MessagePackReader(bytes);
        while (!reader.End)
        {
            int at = (int)reader.Consumed;
            var type = reader.NextMessagePackType;
            switch (type)
            {
                case MessagePackType.Array:
                    reader.ReadArrayHeader();
                    tokens.Add((at, (int)reader.Consumed - at, Token.ArrayHeader));
                    break;
                case MessagePackType.Map:
                    reader.ReadMapHeader();
                    tokens.Add((at, (int)reader.Consumed - at, Token.MapHeader));
                    break;
                default:
                    reader.Skip();
                    var kind = type switch
                    {
                        MessagePackType.String => Token.Text,
                        MessagePackType.Binary => Token.Binary,
                        MessagePackType.Integer => Token.Integer,
                        _ => Token.Other,
                    };
                    tokens.Add((at, (int)reader.Consumed - at, kind));
                    break;
            }
        }
        return tokens;
    }
}
