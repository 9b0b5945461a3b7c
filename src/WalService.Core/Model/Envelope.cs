using WalService.Api.Internal;

namespace WalService.Core.Model;

/// <summary>
/// One message as a backend stores it: the metadata (<see cref="EnvelopeMeta"/>) and the opaque payload,
/// kept apart so the payload is written once and never re-encoded.
/// </summary>
public sealed class Envelope(EnvelopeMeta meta, ReadOnlyMemory<byte> payload)
{
    public EnvelopeMeta Meta { get; } = meta;

    public ReadOnlyMemory<byte> Payload { get; } = payload;

    public string MessageId => Meta.MessageId;

    public DateTimeOffset DeliverAt => DateTimeOffset.FromUnixTimeMilliseconds(Meta.DeliverAtMs);

    public DateTimeOffset OriginalWriteTime => DateTimeOffset.FromUnixTimeMilliseconds(Meta.OriginalWriteTimeMs);

    /// <summary>The same message due at <paramref name="deliverAt"/> as attempt <paramref name="attempt"/> (a retry, a redrive); the payload is shared.</summary>
    public Envelope Rescheduled(DateTimeOffset deliverAt, int attempt)
    {
        var meta = Meta.Clone();
        meta.DeliverAtMs = deliverAt.ToUnixTimeMilliseconds();
        meta.Attempt = attempt;
        return new Envelope(meta, Payload);
    }
}
