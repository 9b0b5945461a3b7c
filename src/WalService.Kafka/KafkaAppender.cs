using Confluent.Kafka;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Brokered;
using WalService.Core.Runtime;

namespace WalService.Kafka;

/// <summary>
/// The write path of Kafka namespaces. Idempotency keys are claimed in the ledger first (a repeat answers the first
/// id without producing); the rest of the batch is handed to the cluster's shared producer at once and answered when
/// the last delivery report is in: TRUE when persisted, UNKNOWN when possibly persisted (a timeout after sending),
/// FALSE otherwise, and then the key is given back so a retry writes anew. Statuses of what was written are in the
/// ledger before the answer, so <c>GetMessageStatus</c> right after a write finds the message.
/// </summary>
internal sealed class KafkaAppender(KafkaClusters clusters, NamespaceRegistry registry, LedgerAppends ledger)
{
    public async Task<AppendResult[]> AppendAsync(IReadOnlyList<AppendRequest> requests, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var results = new AppendResult[requests.Count];
        var targets = new (NamespaceSettings Settings, KafkaNamespace Kafka)?[requests.Count];
        string? lastName = null;
        (NamespaceSettings, KafkaNamespace)? last = null;
        for (var i = 0; i < requests.Count; i++)
        {
            var name = requests[i].Envelope.Meta.Namespace;
            if (name != lastName)
            {
                lastName = name;
                last = await registry.GetAsync(name, cancellationToken) is { } settings ? (settings, KafkaNamespace.From(settings.Source.Config)) : null;
            }

            targets[i] = last;
            if (last is null)
            {
                results[i] = new AppendResult(Trilean.False, requests[i].Envelope.MessageId, "namespace is no longer registered");
            }
        }

        var toProduce = await ledger.ClaimKeysAsync(requests, i => targets[i]?.Settings.Name, results, now);
        await ProduceAsync(requests, targets, toProduce, results);
        await ledger.ReleaseFailedClaimsAsync(requests, toProduce, results);
        var statuses = new List<LedgerUpdate>(toProduce.Count);
        foreach (var i in toProduce)
        {
            if (results[i].Durable == Trilean.True && targets[i]!.Value.Settings.TrackStatus)
            {
                statuses.Add(LedgerAppends.Waiting(requests[i].Envelope, now));
            }
        }

        await ledger.RecordAsync(statuses);
        return results;
    }

    /// <summary>Produces one record and answers as a write would be answered.</summary>
    public Task<AppendResult> ProduceOneAsync(KafkaNamespace kafka, string topic, Envelope envelope, params (string, string)[] headers)
    {
        var answered = new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        clusters.Produce(kafka.Cluster, topic, EnvelopeHeaders.ToMessage(envelope, headers), (status, error) => answered.TrySetResult(Result(envelope.MessageId, status, error)));
        return answered.Task;
    }

    private static AppendResult Result(string messageId, PersistenceStatus status, Error error) => status switch
    {
        PersistenceStatus.Persisted => AppendResult.Persisted(messageId),
        PersistenceStatus.PossiblyPersisted => new AppendResult(Trilean.Unknown, messageId, $"kafka: {error.Reason}"),
        _ => new AppendResult(Trilean.False, messageId, $"kafka: {error.Reason}"),
    };

    private Task ProduceAsync(IReadOnlyList<AppendRequest> requests, (NamespaceSettings Settings, KafkaNamespace Kafka)?[] targets, List<int> indexes, AppendResult[] results)
    {
        if (indexes.Count == 0)
        {
            return Task.CompletedTask;
        }

        var cluster = targets[indexes[0]]!.Value.Kafka.Cluster;
        if (indexes.TrueForAll(i => targets[i]!.Value.Kafka.Cluster == cluster))
        {
            return ProduceBatch(requests, targets, indexes, results, cluster);
        }

        return Task.WhenAll(indexes.GroupBy(i => targets[i]!.Value.Kafka.Cluster, StringComparer.Ordinal)
            .Select(g => ProduceBatch(requests, targets, [.. g], results, g.Key)));
    }

    /// <summary>Produces the records of one cluster, measured once: from handing the first over to the last report.</summary>
    private Task ProduceBatch(IReadOnlyList<AppendRequest> requests, (NamespaceSettings Settings, KafkaNamespace Kafka)?[] targets, List<int> indexes, AppendResult[] results, string cluster)
    {
        var batch = new ProducedBatch(requests, results, indexes.Count, clusters.Metrics, cluster);
        var records = new EnvelopeHeaders.RecordWriter();
        foreach (var i in indexes)
        {
            var kafka = targets[i]!.Value.Kafka;
            clusters.Produce(cluster, kafka.Topic, records.ToMessage(requests[i].Envelope), new RecordReport(batch, i));
        }

        return batch.AllReported;
    }

    /// <summary>
    /// The records of one append under way on one cluster: answered once the last delivery report is in, and measured
    /// then with the worst outcome (errors are counted per record).
    /// </summary>
    private sealed class ProducedBatch(IReadOnlyList<AppendRequest> requests, AppendResult[] results, int count, KafkaMetrics metrics, string cluster)
    {
        private readonly TaskCompletionSource _allReported = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly long _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        private int _remaining = count;
        private readonly Lock _gate = new();
        private PersistenceStatus _worst = PersistenceStatus.Persisted;

        public Task AllReported => _allReported.Task;

        public void Reported(int index, PersistenceStatus status, Error error)
        {
            results[index] = Result(requests[index].Envelope.MessageId, status, error);
            if (status != PersistenceStatus.Persisted)
            {
                metrics.Failed(cluster, error.Code);
                Worse(status);
            }

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                metrics.Measure(cluster, _startedAt, Worst());
                _allReported.TrySetResult();
            }
        }

        /// <summary>NotPersisted is worse than PossiblyPersisted, which is worse than Persisted.</summary>
        private void Worse(PersistenceStatus status)
        {
            lock (_gate)
            {
                _worst = Rank(status) > Rank(_worst) ? status : _worst;
            }
        }

        private PersistenceStatus Worst()
        {
            lock (_gate)
            {
                return _worst;
            }
        }

        private static int Rank(PersistenceStatus status) => status switch
        {
            PersistenceStatus.Persisted => 0,
            PersistenceStatus.PossiblyPersisted => 1,
            _ => 2,
        };
    }

    /// <summary>Where the delivery report of entry <paramref name="index"/> goes: one small object a record.</summary>
    private sealed class RecordReport(ProducedBatch batch, int index) : DeliveryReceiver
    {
        public override void Reported(PersistenceStatus status, Error error) => batch.Reported(index, status, error);
    }
}
