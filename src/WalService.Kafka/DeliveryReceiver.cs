using Confluent.Kafka;

namespace WalService.Kafka;

/// <summary>
/// Gets the outcome of one record handed to <see cref="KafkaClusters.Produce(string, string, Message{byte[], byte[]}, long, DeliveryReceiver)"/>,
/// measured first: on the producer's delivery thread (keep it short), or at once when the producer refuses the record
/// (queue full). One object a record carries what the report needs, so a record costs the write path one allocation
/// and one delegate besides the record itself.
/// </summary>
internal abstract class DeliveryReceiver
{
    private KafkaMetrics? _metrics;
    private string _cluster = string.Empty;
    private long _startedAt;

    /// <summary>The record's outcome: <see cref="PersistenceStatus.Persisted"/>, or why not.</summary>
    public abstract void Reported(PersistenceStatus status, Error error);

    internal void Start(KafkaMetrics metrics, string cluster, long startedAt)
    {
        _metrics = metrics;
        _cluster = cluster;
        _startedAt = startedAt;
    }

    internal void OnReport(DeliveryReport<byte[], byte[]> report) => Finish(report.Status, report.Error);

    internal void Finish(PersistenceStatus status, Error error)
    {
        _metrics!.Produced(_cluster, _startedAt, status, error.Code);
        Reported(status, error);
    }
}
