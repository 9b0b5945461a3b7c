using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Google.Protobuf;
using WalService.Api.Internal;
using WalService.Api.V1;
using WalService.Core.Model;

namespace WalService.Kafka;

/// <summary>
/// Carries an envelope as a Kafka record: the payload is the value, the ordering key (else the message id) is the
/// key, and the metadata travels in <c>wal-*</c> headers that any Kafka tool can read. The message's own headers are
/// <c>wal-header-&lt;name&gt;</c>.
/// </summary>
internal static class EnvelopeHeaders
{
    public const string MessageId = "wal-message-id";
    public const string Namespace = "wal-namespace";
    public const string DeliverAt = "wal-deliver-at";
    public const string Attempt = "wal-attempt";
    public const string WrittenAt = "wal-written-at";
    public const string OrderingKey = "wal-ordering-key";
    public const string IdempotencyKey = "wal-idempotency-key";
    public const string Target = "wal-target";
    public const string TraceParent = "traceparent";
    public const string Error = "wal-error";
    public const string DeadLetteredAt = "wal-dead-lettered-at";
    private const string HeaderPrefix = "wal-header-";

    public static Message<byte[], byte[]> ToMessage(Envelope envelope, params (string Name, string Value)[] extra)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var meta = envelope.Meta;
        var headers = new Headers
        {
            { MessageId, Utf8(meta.MessageId) },
            { Namespace, Utf8(meta.Namespace) },
            { DeliverAt, Number(meta.DeliverAtMs) },
            { Attempt, Number(meta.Attempt) },
            { WrittenAt, Number(meta.OriginalWriteTimeMs) },
        };
        AddIfSet(headers, OrderingKey, meta.OrderingKey);
        AddIfSet(headers, IdempotencyKey, meta.IdempotencyKey);
        AddIfSet(headers, TraceParent, meta.TraceParent);
        if (meta.Target is not null)
        {
            headers.Add(Target, meta.Target.ToByteArray());
        }

        foreach (var (name, value) in meta.Headers)
        {
            headers.Add(HeaderPrefix + name, Utf8(value));
        }

        foreach (var (name, value) in extra)
        {
            headers.Add(name, Utf8(value));
        }

        return new Message<byte[], byte[]>
        {
            Key = Utf8(string.IsNullOrEmpty(meta.OrderingKey) ? meta.MessageId : meta.OrderingKey),
            Value = envelope.Payload.ToArray(),
            Headers = headers,
        };
    }

    /// <summary>
    /// The envelope of a record consumed for namespace <paramref name="ns"/>. A record written by another producer (no
    /// <c>wal-message-id</c>) gets an id from its position and is due at its timestamp.
    /// </summary>
    public static Envelope FromRecord(ConsumeResult<byte[], byte[]> record, string ns)
    {
        ArgumentNullException.ThrowIfNull(record);
        var headers = record.Message.Headers ?? [];
        var meta = new EnvelopeMeta
        {
            MessageId = Text(headers, MessageId) ?? PositionId(record),
            Namespace = ns,
            DeliverAtMs = Long(headers, DeliverAt) ?? record.Message.Timestamp.UnixTimestampMs,
            Attempt = (int)(Long(headers, Attempt) ?? 1),
            OriginalWriteTimeMs = Long(headers, WrittenAt) ?? record.Message.Timestamp.UnixTimestampMs,
            OrderingKey = Text(headers, OrderingKey) ?? string.Empty,
            IdempotencyKey = Text(headers, IdempotencyKey) ?? string.Empty,
            TraceParent = Text(headers, TraceParent) ?? string.Empty,
        };
        if (headers.TryGetLastBytes(Target, out var target))
        {
            meta.Target = Api.V1.Target.Parser.ParseFrom(target);
        }

        foreach (var header in headers.Where(h => h.Key.StartsWith(HeaderPrefix, StringComparison.Ordinal)))
        {
            meta.Headers[header.Key[HeaderPrefix.Length..]] = Encoding.UTF8.GetString(header.GetValueBytes());
        }

        return new Envelope(meta, record.Message.Value ?? []);
    }

    /// <summary>Stands in for a record that cannot be read, so its offset is passed like any other.</summary>
    public static Envelope Placeholder(ConsumeResult<byte[], byte[]> record, string ns)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new Envelope(new EnvelopeMeta { MessageId = PositionId(record), Namespace = ns }, ReadOnlyMemory<byte>.Empty);
    }

    public static string? Text(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    private static string PositionId(ConsumeResult<byte[], byte[]> record) => $"{record.Topic}-{record.Partition.Value}-{record.Offset.Value}";

    private static long? Long(Headers headers, string name) =>
        long.TryParse(Text(headers, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static byte[] Number(long value) => Utf8(value.ToString(CultureInfo.InvariantCulture));

    private static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value);

    private static void AddIfSet(Headers headers, string name, string value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers.Add(name, Utf8(value));
        }
    }
}
