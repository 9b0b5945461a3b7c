using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using WalService.Core.Telemetry;

namespace WalService.Kafka;

/// <summary>
/// The Kafka backend's instruments, on the service's meter (<see cref="WalMetrics.MeterName"/>): produce latency and
/// errors by cluster, and consumer lag by namespace and partition. Retries and dead letters are the runtime's
/// <c>wal.deliveries</c> and <c>wal.dead_letters</c>, which Kafka namespaces report like any other.
/// </summary>
internal sealed class KafkaMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Histogram<double> _produceDuration;
    private readonly Counter<long> _produceErrors;
    private Func<IEnumerable<(string Namespace, TopicPartition Partition, long Lag)>> _lag = () => [];

    public KafkaMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(WalMetrics.MeterName);
        _produceDuration = _meter.CreateHistogram<double>("wal.kafka.produce.duration", "s", "Time from handing records to the producer to their delivery report, by cluster and outcome: once per record produced alone, once per write call and cluster for the records of a write (to the last report, with the worst outcome).");
        _produceErrors = _meter.CreateCounter<long>("wal.kafka.produce.errors", "{record}", "Records the cluster did not confirm, by cluster and error.");
        _meter.CreateObservableGauge("wal.kafka.consumer.lag", ObserveLag, "{record}", "Records of a partition not yet finished by this instance (high watermark minus the offset to commit), by namespace, topic and partition.");
    }

    /// <summary>Where the lag gauge reads from at scrape time.</summary>
    public void ObserveLagOf(Func<IEnumerable<(string Namespace, TopicPartition Partition, long Lag)>> lag) => _lag = lag;

    /// <summary>One record's outcome: its duration and, when it failed, its error.</summary>
    public void Produced(string cluster, long startedAt, PersistenceStatus status, ErrorCode error)
    {
        Measure(cluster, startedAt, status);
        Failed(cluster, error);
    }

    /// <summary>
    /// Records the time from <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp) to now with the
    /// outcome: once per record, or once per batch with the outcome of its worst record.
    /// </summary>
    public void Measure(string cluster, long startedAt, PersistenceStatus status)
    {
        var outcome = status switch
        {
            PersistenceStatus.Persisted => "persisted",
            PersistenceStatus.PossiblyPersisted => "possibly_persisted",
            _ => "not_persisted",
        };
        _produceDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new TagList { { "cluster", cluster }, { "outcome", outcome } });
    }

    /// <summary>Counts a record the cluster did not confirm (nothing for <see cref="ErrorCode.NoError"/>).</summary>
    public void Failed(string cluster, ErrorCode error)
    {
        if (error != ErrorCode.NoError)
        {
            _produceErrors.Add(1, new TagList { { "cluster", cluster }, { "error", error.ToString() } });
        }
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveLag() =>
        _lag().Select(l => new Measurement<long>(
            l.Lag,
            new KeyValuePair<string, object?>("namespace", l.Namespace),
            new KeyValuePair<string, object?>("topic", l.Partition.Topic),
            new KeyValuePair<string, object?>("partition", l.Partition.Partition.Value)));
}
