using Amazon.SQS.Model;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;

namespace WalService.Sqs;

/// <summary>
/// The write path of SQS namespaces. Idempotency keys are claimed in the ledger first (a repeat answers the first id
/// without sending); the rest is sent with <c>SendMessageBatch</c>, per queue, and answered per entry (see
/// <see cref="SqsMessages.SendAsync"/>); a key whose write certainly failed is given back so a retry writes anew.
/// Statuses of what was written are in the ledger before the answer.
/// </summary>
internal sealed class SqsAppender(SqsQueues queues, NamespaceRegistry registry, IMessageLedgerStore ledger, Action<IReadOnlyList<LedgerUpdate>, Exception> deferStatuses)
{
    public async Task<AppendResult[]> AppendAsync(IReadOnlyList<AppendRequest> requests, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var results = new AppendResult[requests.Count];
        var settings = new NamespaceSettings?[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            var name = requests[i].Envelope.Meta.Namespace;
            settings[i] = i > 0 && settings[i - 1]?.Name == name ? settings[i - 1] : await registry.GetAsync(name, cancellationToken);
            if (settings[i] is null)
            {
                results[i] = new AppendResult(Trilean.False, requests[i].Envelope.MessageId, "namespace is no longer registered");
            }
        }

        var toSend = await ClaimKeysAsync(requests, settings, results, now);
        foreach (var queue in toSend.GroupBy(i => SqsNamespace.From(settings[i]!.Source.Config).Queue))
        {
            await SendAsync(queue.Key, [.. queue], requests, results, now, cancellationToken);
        }

        await ReleaseFailedClaimsAsync(requests, toSend, results);
        await RecordAsync([.. toSend.Where(i => results[i].Durable == Trilean.True && settings[i]!.TrackStatus).Select(i => Waiting(requests[i].Envelope, now))]);
        return results;
    }

    public static LedgerUpdate Waiting(Envelope envelope, DateTimeOffset now) =>
        new(envelope.Meta.Namespace, envelope.MessageId, envelope.DeliverAt > now ? MessageState.Delayed : MessageState.Pending, 0, null, envelope.DeliverAt, null, now);

    /// <summary>Records statuses before answering; hands them to the background writer when the ledger fails.</summary>
    private async Task RecordAsync(List<LedgerUpdate> updates)
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

    private async Task SendAsync(string queue, List<int> indexes, IReadOnlyList<AppendRequest> requests, AppendResult[] results, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string url;
        try
        {
            url = await queues.UrlAsync(queue, cancellationToken);
        }
        catch (Exception ex) when (ex is QueueDoesNotExistException or Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
        {
            indexes.ForEach(i => results[i] = new AppendResult(Trilean.False, requests[i].Envelope.MessageId, $"sqs: queue {queue}: {ex.Message}"));
            return;
        }

        // Sent whole: a write that was admitted is not abandoned half-way because its caller gave up.
        var sent = await SqsMessages.SendAsync(queues.Client, url, [.. indexes.Select(i => requests[i].Envelope)], now, CancellationToken.None);
        for (var k = 0; k < indexes.Count; k++)
        {
            results[indexes[k]] = sent[k];
        }
    }

    /// <summary>Claims the keys of keyed entries together; answers the indexes to send.</summary>
    private async Task<List<int>> ClaimKeysAsync(IReadOnlyList<AppendRequest> requests, NamespaceSettings?[] settings, AppendResult[] results, DateTimeOffset now)
    {
        var toSend = new List<int>(requests.Count);
        var keyed = new List<int>();
        for (var i = 0; i < requests.Count; i++)
        {
            if (settings[i] is not null)
            {
                (requests[i].Envelope.Meta.IdempotencyKey.Length > 0 ? keyed : toSend).Add(i);
            }
        }

        var claimed = await Task.WhenAll(keyed.Select(i => ClaimAsync(requests[i], settings[i]!.Name, now, results, i)));
        toSend.AddRange(keyed.Where((_, k) => claimed[k]));
        return toSend;
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

    private async Task ReleaseFailedClaimsAsync(IReadOnlyList<AppendRequest> requests, List<int> sent, AppendResult[] results)
    {
        foreach (var i in sent.Where(i => results[i].Durable == Trilean.False && requests[i].Envelope.Meta.IdempotencyKey.Length > 0))
        {
            var meta = requests[i].Envelope.Meta;
            await ledger.ReleaseAsync(meta.Namespace, meta.IdempotencyKey, meta.MessageId, CancellationToken.None);
        }
    }
}
