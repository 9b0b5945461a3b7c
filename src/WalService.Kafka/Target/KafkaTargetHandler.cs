using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Validation;

namespace WalService.Kafka.Targets;

/// <summary>
/// Produces the payload to an application's topic, <c>KafkaTarget.topic</c> on <c>KafkaTarget.cluster</c> ("" =
/// default), through the cluster's shared producer (acks=all, idempotent). The key is the ordering key, else the
/// message id; the headers are the message's, then <c>wal-message-id</c>, <c>wal-namespace</c>, <c>wal-attempt</c>
/// (1-based), <c>wal-original-write-time</c> (RFC 3339) and, for a chunk of a transaction, <c>wal-transaction-id</c>,
/// <c>wal-chunk</c> and <c>wal-chunk-count</c>, as on an HTTP delivery, so the application can drop a record delivered
/// twice by its message id. A message header named <c>wal-*</c> in any case (refused at write, so only
/// in a message stored before that rule) is left out: every <c>wal-*</c> header of the record is the service's. A
/// persisted record is applied; an error that no retry can mend (unknown topic, record too large, not authorised,
/// invalid settings) dead-letters the message; any other error retries it.
/// </summary>
internal sealed class KafkaTargetHandler(KafkaClusters clusters) : ITargetHandler
{
    private const string OriginalWriteTime = "wal-original-write-time";

    private static readonly FrozenSet<ErrorCode> Permanent = new[]
    {
        ErrorCode.Local_UnknownTopic,
        ErrorCode.Local_UnknownPartition,
        ErrorCode.UnknownTopicOrPart,
        ErrorCode.TopicException,
        ErrorCode.MsgSizeTooLarge,
        ErrorCode.InvalidMsgSize,
        ErrorCode.RecordListTooLarge,
        ErrorCode.InvalidRecord,
        ErrorCode.TopicAuthorizationFailed,
        ErrorCode.ClusterAuthorizationFailed,
        ErrorCode.InvalidConfig,
        ErrorCode.InvalidRequiredAcks,
        ErrorCode.PolicyViolation,
        ErrorCode.Local_InvalidArg,
    }.ToFrozenSet();

    public Target.KindOneofCase Kind => Target.KindOneofCase.Kafka;

    public IEnumerable<string> Validate(Target target, string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(target);
        var kafka = target.Kafka;
        var cluster = ClusterName(kafka);
        if (!clusters.Contains(cluster))
        {
            var known = clusters.Names.Any() ? string.Join(", ", clusters.Names) : "none";
            yield return $"{fieldPath}.kafka.cluster {ClientText.Quote(cluster)} is not configured on this server (Wal:Kafka:Clusters:<name>:BootstrapServers); configured: {known}";
        }

        if (kafka.Topic.Length == 0)
        {
            yield return $"{fieldPath}.kafka.topic is required";
        }
        else if (!KafkaTopics.IsLegalName(kafka.Topic))
        {
            yield return $"{fieldPath}.kafka.topic {ClientText.Quote(kafka.Topic)} is not a valid topic name ({KafkaTopics.NameRule})";
        }
    }

    /// <summary>
    /// Nothing to prepare: the topic belongs to the application, which creates it; a topic still missing at delivery
    /// is auto-created where the cluster allows it, else the message is dead-lettered.
    /// </summary>
    public Task PrepareAsync(Target target, CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask<DeliveryOutcome> DeliverAsync(Target target, Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(delivery);
        var kafka = target.Kafka;
        var cluster = ClusterName(kafka);
        if (!clusters.Contains(cluster))
        {
            return DeliveryOutcome.DeadLetter($"kafka cluster '{cluster}' is not configured on this server");
        }

        try
        {
            var report = await clusters.ProduceAsync(cluster, kafka.Topic, ToRecord(delivery), cancellationToken);
            return report.Status == PersistenceStatus.Persisted
                ? DeliveryOutcome.Applied
                : DeliveryOutcome.Retry($"kafka cluster '{cluster}' did not confirm the record in {kafka.Topic}");
        }
        catch (KafkaException ex)
        {
            var error = $"producing to {kafka.Topic} on kafka cluster '{cluster}' failed: {ex.Error.Reason} ({ex.Error.Code})";
            return Permanent.Contains(ex.Error.Code) ? DeliveryOutcome.DeadLetter(error) : DeliveryOutcome.Retry(error);
        }
    }

    private static Message<byte[], byte[]> ToRecord(Delivery delivery)
    {
        var envelope = delivery.Envelope;
        var meta = envelope.Meta;
        var headers = new Headers();
        foreach (var (name, value) in meta.Headers.Where(h => !HeaderRules.IsReserved(h.Key)))
        {
            headers.Add(name, Utf8(value));
        }

        headers.Add(EnvelopeHeaders.MessageId, Utf8(meta.MessageId));
        headers.Add(EnvelopeHeaders.Namespace, Utf8(delivery.Namespace));
        headers.Add(EnvelopeHeaders.Attempt, Utf8(delivery.Attempt.ToString(CultureInfo.InvariantCulture)));
        headers.Add(OriginalWriteTime, Utf8(envelope.OriginalWriteTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)));
        foreach (var (name, value) in delivery.Chunk?.Headers ?? [])
        {
            headers.Add(name, Utf8(value));
        }

        return new Message<byte[], byte[]>
        {
            Key = Utf8(meta.OrderingKey.Length > 0 ? meta.OrderingKey : meta.MessageId),
            Value = envelope.Payload.ToArray(),
            Headers = headers,
        };
    }

    private static string ClusterName(KafkaTarget kafka) => kafka.Cluster.Length > 0 ? kafka.Cluster : KafkaNamespace.DefaultCluster;

    private static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value);
}
