using Confluent.Kafka;

namespace WalService.Kafka;

/// <summary>
/// Gets the outcome of one record handed to <see cref="KafkaClusters.Produce(string, string, Message{byte[], byte[]}, DeliveryReceiver)"/>:
/// on the producer's delivery thread (keep it short), or at once when the producer refuses the record (queue full).
/// One object a record carries what the report needs, so a record costs the write path one allocation and one
/// delegate besides the record itself; measuring is the receiver's business (a batch measures once).
/// </summary>
internal abstract class DeliveryReceiver
{
    /// <summary>The record's outcome: <see cref="PersistenceStatus.Persisted"/>, or why not.</summary>
    public abstract void Reported(PersistenceStatus status, Error error);

    internal void OnReport(DeliveryReport<byte[], byte[]> report) => Reported(report.Status, report.Error);
}
