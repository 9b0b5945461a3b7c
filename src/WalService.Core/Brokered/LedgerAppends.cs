using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Core.Brokered;

/// <summary>
/// What a backend with no per-message state of its own (Kafka, SQS) does around an append, through the message
/// ledger: idempotency keys are claimed first (a repeat answers the first id and is not written again), the key of a
/// write that certainly failed is given back so a retry writes anew, and the statuses of what was written are
/// recorded before the answer, so <c>GetMessageStatus</c> right after a write finds the message.
/// </summary>
public sealed class LedgerAppends(IMessageLedgerStore ledger, Action<IReadOnlyList<LedgerUpdate>, Exception> deferStatuses)
{
    /// <summary>The status of a message just written: delayed or pending.</summary>
    public static LedgerUpdate Waiting(Envelope envelope, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new(envelope.Meta.Namespace, envelope.MessageId, envelope.DeliverAt > now ? MessageState.Delayed : MessageState.Pending, 0, null, envelope.DeliverAt, null, now);
    }

    /// <summary>
    /// Claims the keys of the entries whose namespace <paramref name="namespaceOf"/> names (null: the entry is already
    /// answered); a repeat or a failed claim is answered in <paramref name="results"/>. Answers the indexes to write.
    /// </summary>
    public async Task<List<int>> ClaimKeysAsync(IReadOnlyList<AppendRequest> requests, Func<int, string?> namespaceOf, AppendResult[] results, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(namespaceOf);
        var toWrite = new List<int>(requests.Count);
        var keyed = new List<(int Index, string Namespace)>();
        for (var i = 0; i < requests.Count; i++)
        {
            if (namespaceOf(i) is not { } ns)
            {
                continue;
            }

            if (requests[i].Envelope.Meta.IdempotencyKey.Length > 0)
            {
                keyed.Add((i, ns));
            }
            else
            {
                toWrite.Add(i);
            }
        }

        var claimed = await Task.WhenAll(keyed.Select(k => ClaimAsync(requests[k.Index], k.Namespace, now, results, k.Index)));
        toWrite.AddRange(keyed.Where((_, k) => claimed[k]).Select(k => k.Index));
        return toWrite;
    }

    /// <summary>Gives back the keys of the written entries that answered FALSE.</summary>
    public async Task ReleaseFailedClaimsAsync(IReadOnlyList<AppendRequest> requests, List<int> written, AppendResult[] results)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(written);
        ArgumentNullException.ThrowIfNull(results);
        foreach (var i in written.Where(i => results[i].Durable == Trilean.False && requests[i].Envelope.Meta.IdempotencyKey.Length > 0))
        {
            var meta = requests[i].Envelope.Meta;
            await ledger.ReleaseAsync(meta.Namespace, meta.IdempotencyKey, meta.MessageId, CancellationToken.None);
        }
    }

    /// <summary>Records statuses before answering; hands them to the background writer when the ledger fails.</summary>
    public async Task RecordAsync(List<LedgerUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
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
}
