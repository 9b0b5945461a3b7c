using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace WalService.Bench;

/// <summary>
/// The payload of a timing message: its number in the run and its due time (microseconds since 1970, UTC), 8 bytes
/// little-endian each, so the target knows both without asking the service.
/// </summary>
internal static class TimingPayload
{
    public const int Size = 16;

    public static long NowMicroseconds() => Microseconds(DateTime.UtcNow);

    /// <summary><paramref name="utc"/> in microseconds since 1970.</summary>
    public static long Microseconds(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    public static ByteString Of(long sequence, long dueUnixMicroseconds) => ByteString.CopyFrom(Bytes(sequence, dueUnixMicroseconds, Size));

    /// <summary>The payload as bytes, zero-padded to <paramref name="size"/> (at least <see cref="Size"/>) bytes.</summary>
    public static byte[] Bytes(long sequence, long dueUnixMicroseconds, int size)
    {
        var bytes = new byte[Math.Max(size, Size)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), dueUnixMicroseconds);
        return bytes;
    }

    /// <summary>The number and due time in <paramref name="payload"/>; (-1, 0) when it is shorter than a timing payload.</summary>
    public static (long Sequence, long DueUnixMicroseconds) Read(ReadOnlySpan<byte> payload) =>
        payload.Length >= Size
            ? (BinaryPrimitives.ReadInt64LittleEndian(payload), BinaryPrimitives.ReadInt64LittleEndian(payload[8..]))
            : (-1L, 0L);

    /// <summary>
    /// A due time <paramref name="delay"/> from now, rounded up to a whole millisecond (so a service that keeps due
    /// times in milliseconds cannot deliver before it), in microseconds since 1970.
    /// </summary>
    public static long DueIn(TimeSpan delay)
    {
        var due = NowMicroseconds() + (long)(delay.TotalMilliseconds * 1000);
        return (due + 999) / 1000 * 1000;
    }

    public static Timestamp Timestamp(long unixMicroseconds) =>
        Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UnixEpoch.AddTicks(unixMicroseconds * 10));
}
