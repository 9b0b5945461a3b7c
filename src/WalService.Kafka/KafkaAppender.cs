using Confluent.Kafka;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;

namespace WalService.Kafka;

/// <summary>
/// The write path of Kafka namespaces. Idempotency keys are claimed in the ledger first (a repeat answers the first
/// id without producing); the rest of the batch is handed to the cluster's shared producer at once and answered when
/// the last delivery report is in: TRUE when persisted, UNKNOWN when possibly persisted (a timeout after sending),
/// FALSE otherwise, and then the key is given back so a retry writes anew. Statuses of what was written are in the
/// ledger before the answer, so <c>GetMessageStatus</c> right after a write finds the message.
/// </summary>
internal sealed class KafkaAppender(KafkaClusters clusters, NamespaceRegistry registry, IMessageLedgerStore ledger, Action<IReadOnlyList<LedgerUpdate>, Exception> deferStatuses)
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

        var toProduce = await ClaimKeysAsync(requests, targets, results, now);
        await ProduceAsync(requests, targets, toProduce, results);
        await ReleaseFailedClaimsAsync(requests, toProduce, results);
        await RecordAsync(
            [.. toProduce.Where(i => results[i].Durable == Trilean.True && targets[i]!.Value.Settings.TrackStatus).Select(i => Waiting(requests[i].Envelope, now))]);
        return results;
    }

    /// <summary>Produces one record and answers as a write would be answered.</summary>
    public Task<AppendResult> ProduceOneAsync(KafkaNamespace kafka, string topic, Envelope envelope, params (string, string)[] headers)
    {
        var answered = new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        clusters.Produce(kafka.Cluster, topic, EnvelopeHeaders.ToMessage(envelope, headers), (status, error) => answered.TrySetResult(Result(envelope.MessageId, status, error)));
        return answered.Task;
    }

    public static LedgerUpdate Waiting(Envelope envelope, DateTimeOffset now) =>
        new(envelope.Meta.Namespace, envelope.MessageId, envelope.DeliverAt > now ? MessageState.Delayed : MessageState.Pending, 0, null, envelope.DeliverAt, null, now);

    /// <summary>Records statuses before answering; hands them to the background writer when the ledger fails.</summary>
    public async Task RecordAsync(List<LedgerUpdate> updates)
    {
        if (updates.Count == 0)
        {
            return;
        }

        try
        {
            await ledger.RecordAsync(updates, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            deferStatuses(updates, ex);
        }
    }

    private static AppendResult Result(string messageId, PersistenceStatus status, Error error) => status switch
    {
        PersistenceStatus.Persisted => AppendResult.Persisted(messageId),
        PersistenceStatus.PossiblyPersisted => new AppendResult(Trilean.Unknown, messageId, $"kafka: {error.Reason}"),
        _ => new AppendResult(Trilean.False, messageId, $"kafka: {error.Reason}"),
    };

    /// <summary>Claims the keys of keyed entries together; answers the indexes to produce.</summary>
    private async Task<List<int>> ClaimKeysAsync(IReadOnlyList<AppendRequest> requests, (NamespaceSettings Settings, KafkaNamespace Kafka)?[] targets, AppendResult[] results, DateTimeOffset now)
    {
        var toProduce = new List<int>(requests.Count);
        var keyed = new List<int>();
        for (var i = 0; i < requests.Count; i++)
        {
            if (targets[i] is not null)
            {
                (requests[i].Envelope.Meta.IdempotencyKey.Length > 0 ? keyed : toProduce).Add(i);
            }
        }

        var claimed = await Task.WhenAll(keyed.Select(i => ClaimAsync(requests[i], targets[i]!.Value.Settings.Name, now, results, i)));
        toProduce.AddRange(keyed.Where((_, k) => claimed[k]));
        return toProduce;
    }

    private async Task<bool> ClaimAsync(AppendRequest request, string ns, DateTimeOffset now, AppendResult[] results, int index)
    {
        var envelope = request.Envelope;
        try
        {
            var holder = await ledger.ClaimAsync(ns, envelope.Meta.IdempotencyKey, envelope.MessageId, now, now + request.DedupWindow, CancellationToken.None);
            if (holder == envelope.MessageId)
            {
                return true;
            }

            results[index] = AppendResult.Persisted(holder);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            results[index] = new AppendResult(Trilean.False, envelope.MessageId, $"idempotency key could not be checked: {ex.Message}");
            return false;
        }
    }

    private Task ProduceAsync(IReadOnlyList<AppendRequest> requests, (NamespaceSettings Settings, KafkaNamespace Kafka)?[] targets, List<int> indexes, AppendResult[] results)
    {
        if (indexes.Count == 0)
        {
            return Task.CompletedTask;
        }

        var allReported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = indexes.Count;
        foreach (var i in indexes)
        {
            var envelope = requests[i].Envelope;
            var kafka = targets[i]!.Value.Kafka;
            clusters.Produce(kafka.Cluster, kafka.Topic, EnvelopeHeaders.ToMessage(envelope), (status, error) =>
            {
                results[i] = Result(envelope.MessageId, status, error);
                if (Interlocked.Decrement(ref remaining) == 0)
                {
                    allReported.TrySetResult();
                }
            });
        }

        return allReported.Task;
    }

    private async Task ReleaseFailedClaimsAsync(IReadOnlyList<AppendRequest> requests, List<int> produced, AppendResult[] results)
    {
        foreach (var i in produced.Where(i => results[i].Durable == Trilean.False && requests[i].Envelope.Meta.IdempotencyKey.Length > 0))
        {
            var meta = requests[i].Envelope.Meta;
            await ledger.ReleaseAsync(meta.Namespace, meta.IdempotencyKey, meta.MessageId, CancellationToken.None);
        }
    }
}
