using WalService.Core.Model.Storage;

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

    /// <summary>
    /// The millisecond a message due at <paramref name="at"/> keeps as its due time: rounded up, so that it is never
    /// handed out before <paramref name="at"/>.
    /// </summary>
    public static long DeliverAtMs(DateTimeOffset at)
    {
        var ms = at.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds(ms) < at ? ms + 1 : ms;
    }

    /// <summary>The same message due at <paramref name="deliverAt"/> as attempt <paramref name="attempt"/> (a retry, a redrive); the payload is shared.</summary>
    public Envelope Rescheduled(DateTimeOffset deliverAt, int attempt)
    {
        var meta = Meta.Clone();
        meta.DeliverAtMs = DeliverAtMs(deliverAt);
        meta.Attempt = attempt;
        return new Envelope(meta, Payload);
    }
}
