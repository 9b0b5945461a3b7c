using Google.Protobuf;
using WalService.Core.Model.Storage;

namespace WalService.Core.Model;

/// <summary>
/// Encodes envelope metadata for storage. The format is the protobuf <c>wal.internal.v1.EnvelopeMeta</c>, so
/// fields can be added without breaking logs written by an older version.
/// </summary>
public static class EnvelopeCodec
{
    public static byte[] EncodeMeta(EnvelopeMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        return meta.ToByteArray();
    }

    public static EnvelopeMeta DecodeMeta(ReadOnlySpan<byte> bytes) => EnvelopeMeta.Parser.ParseFrom(bytes);
}
