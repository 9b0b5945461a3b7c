using System.Security.Cryptography;

namespace WalService.Core.Runtime;

/// <summary>
/// Message ids that sort by write time, as 26 Crockford base-32 characters (the ULID layout): 48 bits of Unix
/// milliseconds, 64 bits drawn at random for each millisecond, then a 16-bit count of the ids issued in that
/// millisecond. Ids from one generator are strictly increasing, even when the clock stands still or steps back (the
/// 65,537th id of a millisecond takes the next one).
/// </summary>
/// <remarks>
/// The millisecond and the count make an id's <see cref="TryGetSequence">sequence</see>, a number the embedded log
/// keys its rows by, so that it needs no index from ids to rows.
/// </remarks>
public sealed class MessageIdGenerator(TimeProvider time)
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int CountBits = 16;
    private const ulong MaxCount = (1 << CountBits) - 1;

    /// <summary>Sequences from this one up are ids'; smaller ones are free for the embedded log's other rows.</summary>
    public const long FirstSequence = 1L << 32;

    private readonly Lock _gate = new();
    private long _lastMs = -1;
    private ulong _random;
    private ulong _count;

    public string Next()
    {
        long ms;
        ulong random;
        ulong count;
        lock (_gate)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (now > _lastMs)
            {
                StartMillisecond(now);
            }
            else if (_count < MaxCount)
            {
                _count++;
            }
            else
            {
                StartMillisecond(_lastMs + 1);
            }

            (ms, random, count) = (_lastMs, _random, _count);
        }

        return Encode(ms, random, count);
    }

    /// <summary>
    /// Makes every later id sort after <paramref name="id"/> and have a greater sequence, with random bits of its
    /// own: for a store that outlives the process, whose clock may since have stepped back.
    /// </summary>
    public void EnsureAfter(string id)
    {
        if (!TryDecodeMilliseconds(id, out var ms))
        {
            return;
        }

        lock (_gate)
        {
            if (ms >= _lastMs)
            {
                _lastMs = ms;
                _count = MaxCount;
            }
        }
    }

    /// <summary>
    /// The id's millisecond and count as one number, at least <see cref="FirstSequence"/>: unique and increasing
    /// across the ids of one generator. False for a string that is not such an id.
    /// </summary>
    public static bool TryGetSequence(string id, out long sequence)
    {
        sequence = 0;
        if (!TryDecodeMilliseconds(id, out var ms) || ms >= 1L << (63 - CountBits) || !TryDecode(id.AsSpan(22), out var low))
        {
            return false;
        }

        sequence = (ms << CountBits) | (low & (long)MaxCount);
        return sequence >= FirstSequence;
    }

    private static bool TryDecodeMilliseconds(string id, out long ms)
    {
        ms = 0;
        return id is { Length: 26 } && TryDecode(id.AsSpan(0, 10), out ms) && ms < 1L << 48;
    }

    /// <summary>Up to 12 base-32 characters as a number.</summary>
    private static bool TryDecode(ReadOnlySpan<char> chars, out long value)
    {
        value = 0;
        foreach (var c in chars)
        {
            var digit = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 5) | (uint)digit;
        }

        return true;
    }

    private void StartMillisecond(long ms)
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        RandomNumberGenerator.Fill(bytes);
        _lastMs = ms;
        _random = BitConverter.ToUInt64(bytes);
        _count = 0;
    }

    private static string Encode(long ms, ulong random, ulong count)
    {
        return string.Create(26, (ms, low: ((UInt128)random << CountBits) | count), static (chars, state) =>
        {
            var (t, r) = state;
            for (var i = 9; i >= 0; i--)
            {
                chars[i] = Alphabet[(int)(t & 31)];
                t >>= 5;
            }

            for (var i = 25; i >= 10; i--)
            {
                chars[i] = Alphabet[(int)(r & 31)];
                r >>= 5;
            }
        });
    }
}
