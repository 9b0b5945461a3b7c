using System.Security.Cryptography;

namespace WalService.Core.Runtime;

/// <summary>
/// Message ids that sort by write time: 48 bits of Unix milliseconds, then 80 bits that are random for the first id
/// of a millisecond and counted up after it, as 26 Crockford base-32 characters (the ULID layout). Ids from one
/// generator are strictly increasing, even when the clock stands still or steps back.
/// </summary>
public sealed class MessageIdGenerator(TimeProvider time)
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private readonly Lock _gate = new();
    private long _lastMs = -1;
    private UInt128 _lastRandom;

    public string Next()
    {
        long ms;
        UInt128 random;
        lock (_gate)
        {
            ms = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), _lastMs);
            if (ms == _lastMs)
            {
                random = ++_lastRandom;
            }
            else
            {
                Span<byte> bytes = stackalloc byte[16];
                RandomNumberGenerator.Fill(bytes);
                // Keep the top bit clear so a millisecond has room to count up before it would carry into the time.
                random = new UInt128(BitConverter.ToUInt64(bytes) & 0x7FFF, BitConverter.ToUInt64(bytes[8..]));
                _lastMs = ms;
            }

            _lastRandom = random;
        }

        return Encode(ms, random);
    }

    private static string Encode(long ms, UInt128 random)
    {
        return string.Create(26, (ms, random), static (chars, state) =>
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
