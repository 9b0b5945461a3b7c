using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;
using Google.Protobuf;
using WalService.Core.Model.Storage;
using WalService.Api.V1;
using WalService.Core.Model;

namespace WalService.Kafka;

/// <summary>
/// Carries an envelope as a Kafka record: the payload is the value, the ordering key (else the message id) is the
/// key, the record's timestamp is the original write time, and the metadata travels in <c>wal-*</c> headers that any
/// Kafka tool can read. A header that would say what its default says is left out (each costs the producer a copy):
/// <c>wal-deliver-at</c> only when it differs from the write time, <c>wal-attempt</c> only from attempt 2. The
/// message's own headers are <c>wal-header-&lt;name&gt;</c>.
/// </summary>
internal static class EnvelopeHeaders
{
    public const string MessageId = "wal-message-id";
    public const string Namespace = "wal-namespace";
    public const string DeliverAt = "wal-deliver-at";
    public const string Attempt = "wal-attempt";
    public const string OrderingKey = "wal-ordering-key";
    public const string IdempotencyKey = "wal-idempotency-key";
    public const string Target = "wal-target";
    public const string TransactionId = "wal-transaction-id";
    public const string ChunkCount = "wal-chunk-count";
    public const string Region = "wal-region";
    public const string OriginMessageId = "wal-origin-message-id";
    public const string TraceParent = "traceparent";
    public const string Error = "wal-error";
    public const string DeadLetteredAt = "wal-dead-lettered-at";
    private const string HeaderPrefix = "wal-header-";

    public static Message<byte[], byte[]> ToMessage(Envelope envelope, params (string Name, string Value)[] extra) =>
        new RecordWriter().ToMessage(envelope, extra);

    /// <summary>
    /// Builds the records of one batch. The message id's bytes serve as the key and the <c>wal-message-id</c> header
    /// alike, and a <c>traceparent</c> shared by consecutive envelopes (those of one request) is encoded once.
    /// </summary>
    public sealed class RecordWriter
    {
        private string? _traceParent;
        private byte[] _traceParentBytes = [];

        public Message<byte[], byte[]> ToMessage(Envelope envelope, params (string Name, string Value)[] extra)
        {
            ArgumentNullException.ThrowIfNull(envelope);
            ArgumentNullException.ThrowIfNull(extra);
            var meta = envelope.Meta;
            var messageId = Utf8(meta.MessageId);
            var headers = new Headers { { MessageId, messageId } };
            if (meta.DeliverAtMs != meta.OriginalWriteTimeMs)
            {
                headers.Add(DeliverAt, Number(meta.DeliverAtMs));
            }

            if (meta.Attempt > 1)
            {
                headers.Add(Attempt, Number(meta.Attempt));
            }

            AddIfSet(headers, OrderingKey, meta.OrderingKey);
            AddIfSet(headers, IdempotencyKey, meta.IdempotencyKey);
            AddIfSet(headers, TransactionId, meta.TransactionId);
            AddIfSet(headers, Region, meta.Region);
            AddIfSet(headers, OriginMessageId, meta.OriginMessageId);
            if (meta.ChunkCount > 0)
            {
                headers.Add(ChunkCount, Number(meta.ChunkCount));
            }

            if (meta.TraceParent.Length > 0)
            {
                headers.Add(TraceParent, TraceParentBytes(meta.TraceParent));
            }

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
                Key = string.IsNullOrEmpty(meta.OrderingKey) ? messageId : Utf8(meta.OrderingKey),
                Value = WholeArray(envelope.Payload),
                Headers = headers,
                Timestamp = new Timestamp(meta.OriginalWriteTimeMs, TimestampType.CreateTime),
            };
        }

        private byte[] TraceParentBytes(string traceParent)
        {
            if (!string.Equals(traceParent, _traceParent, StringComparison.Ordinal))
            {
                _traceParent = traceParent;
                _traceParentBytes = Utf8(traceParent);
            }

            return _traceParentBytes;
        }
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
            OriginalWriteTimeMs = record.Message.Timestamp.UnixTimestampMs,
            OrderingKey = Text(headers, OrderingKey) ?? string.Empty,
            IdempotencyKey = Text(headers, IdempotencyKey) ?? string.Empty,
            TransactionId = Text(headers, TransactionId) ?? string.Empty,
            ChunkCount = (int)(Long(headers, ChunkCount) ?? 0),
            Region = Text(headers, Region) ?? string.Empty,
            OriginMessageId = Text(headers, OriginMessageId) ?? string.Empty,
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

    /// <summary>The payload's own array when it spans all of one (as a parsed request's bytes do), else a copy.</summary>
    private static byte[] WholeArray(ReadOnlyMemory<byte> payload) =>
        MemoryMarshal.TryGetArray(payload, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : payload.ToArray();

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
