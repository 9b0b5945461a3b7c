using System.Collections.Concurrent;
using Amazon.SQS.Model;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Brokered;
using WalService.Core.Runtime;

namespace WalService.Sqs;

/// <summary>
/// The write path of SQS namespaces. Idempotency keys are claimed in the ledger first (a repeat answers the first id
/// without sending); the rest goes to its queue's <see cref="SqsSender"/>, which coalesces concurrent writes into
/// <c>SendMessageBatch</c> calls, and is answered per entry; a key whose write certainly failed is given back so a
/// retry writes anew. Statuses of what was written are in the ledger before the answer.
/// </summary>
internal sealed class SqsAppender(SqsQueues queues, NamespaceRegistry registry, LedgerAppends ledger, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, SqsSender> _senders = new(StringComparer.Ordinal);

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

        var toSend = await ledger.ClaimKeysAsync(requests, i => settings[i]?.Name, results, now);
        foreach (var queue in toSend.GroupBy(i => SqsNamespace.From(settings[i]!.Source.Config).Queue))
        {
            await SendAsync(queue.Key, [.. queue], requests, results, cancellationToken);
        }

        await ledger.ReleaseFailedClaimsAsync(requests, toSend, results);
        await ledger.RecordAsync([.. toSend.Where(i => results[i].Durable == Trilean.True && settings[i]!.TrackStatus).Select(i => LedgerAppends.Waiting(requests[i].Envelope, now))]);
        return results;
    }

    private async Task SendAsync(string queue, List<int> indexes, IReadOnlyList<AppendRequest> requests, AppendResult[] results, CancellationToken cancellationToken)
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
        var sender = _senders.GetOrAdd(url, u => new SqsSender(queues, u, SqsQueues.IsFifo(queue) ? 1 : queues.Options.MaxSendsInFlight, time));
        var sent = await Task.WhenAll(indexes.Select(i => sender.SendAsync(requests[i].Envelope)));
        for (var k = 0; k < indexes.Count; k++)
        {
            results[indexes[k]] = sent[k];
        }
    }
}
