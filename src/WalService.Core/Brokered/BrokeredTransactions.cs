using Microsoft.Extensions.Logging;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Telemetry;

namespace WalService.Core.Brokered;

/// <summary>
/// Transactions on a log on a broker (Kafka, SQS): chunks are staged in the control plane's
/// <see cref="ITransactionStagingStore"/>, so they may come through any instance, and only the completion marker
/// travels through the broker. The chunk that completes a transaction appends its marker before it is answered; a
/// marker whose append failed, or whose instance crashed between the last chunk's commit and the append, is appended
/// by the next sweep of any instance once <see cref="MarkerGrace"/> has passed. A marker appended twice is harmless:
/// the second finds its transaction over and applies nothing.
/// </summary>
public sealed class BrokeredTransactions(ITransactionStagingStore store, BrokeredLedger ledger, TimeProvider time, ILogger logger)
{
    /// <summary>How long a completed transaction's marker is left to the instance appending it before a sweep appends it.</summary>
    public static readonly TimeSpan MarkerGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Stages the chunks among <paramref name="requests"/>, and appends the other entries with the markers of the
    /// transactions they completed through <paramref name="append"/>; <c>result[i]</c> answers <c>requests[i]</c>.
    /// </summary>
    public async Task<AppendResult[]> AppendAsync(
        IReadOnlyList<AppendRequest> requests, DateTimeOffset now, Func<IReadOnlyList<AppendRequest>, Task<AppendResult[]>> append, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(append);
        var results = new AppendResult[requests.Count];
        var chunks = Enumerable.Range(0, requests.Count).Where(i => requests[i].Chunk is not null).ToList();
        var staged = await Task.WhenAll(chunks.Select(i => StageAsync(requests[i], now, cancellationToken)));
        var plain = Enumerable.Range(0, requests.Count).Where(i => requests[i].Chunk is null).ToList();
        var markers = new List<(int Index, PendingMarker Marker)>();
        for (var c = 0; c < chunks.Count; c++)
        {
            results[chunks[c]] = staged[c].Result;
            if (staged[c].Completed is { } marker)
            {
                markers.Add((chunks[c], marker));
            }
        }

        if (plain.Count + markers.Count == 0)
        {
            return results;
        }

        var appended = await AppendMarkersAsync(
            [.. plain.Select(i => requests[i])],
            [.. markers.Select(m => (requests[m.Index].Envelope.Meta.Namespace, m.Marker, requests[m.Index].DedupWindow))],
            append);
        for (var p = 0; p < plain.Count; p++)
        {
            results[plain[p]] = appended[p];
        }

        for (var m = 0; m < markers.Count; m++)
        {
            if (appended[plain.Count + m] is { Durable: Trilean.True } marker)
            {
                // An idempotent repeat of an earlier transaction answers that transaction's id.
                results[markers[m].Index] = AppendResult.Persisted(marker.MessageId);
            }
        }

        return results;
    }

    /// <summary>
    /// Dead-letters the namespace's transactions still incomplete after its <c>transactions.timeout</c>, appends the
    /// markers left pending, and forgets transactions over for longer than its dedup window. Answers how many expired.
    /// </summary>
    public async Task<long> SweepAsync(NamespaceSettings ns, DateTimeOffset now, Func<IReadOnlyList<AppendRequest>, Task<AppendResult[]>> append, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(append);
        var expired = await store.ExpireAsync(ns.Name, now - ns.TransactionTimeout, now, cancellationToken);
        foreach (var transaction in expired)
        {
            await ledger.DeadLetters.AddIncompleteAsync(ns.Name, transaction, now, cancellationToken);
        }

        if (ns.TrackStatus && expired.Count > 0)
        {
            await ledger.Appends.RecordAsync(
                [.. expired.Select(e => new LedgerUpdate(ns.Name, e.MessageId, MessageState.DeadLettered, 0, StagingRules.IncompleteError(e.Missing, e.LastKnown), null, null, now))]);
        }

        var pending = await store.ClaimPendingMarkersAsync(ns.Name, now, MarkerGrace, cancellationToken);
        if (pending.Count > 0)
        {
            RuntimeLog.MarkersRecovered(logger, pending.Count, ns.Name);
            await AppendMarkersAsync([], [.. pending.Select(m => (ns.Name, m, ns.DedupWindow))], append);
        }

        await store.TrimAsync(ns.Name, now - ns.DedupWindow, cancellationToken);
        return expired.Count;
    }

    /// <summary>Appends <paramref name="plain"/> then the markers, in one call; a marker appended is no longer pending.</summary>
    private async Task<AppendResult[]> AppendMarkersAsync(
        List<AppendRequest> plain, List<(string Namespace, PendingMarker Marker, TimeSpan DedupWindow)> markers, Func<IReadOnlyList<AppendRequest>, Task<AppendResult[]>> append)
    {
        var requests = plain.Concat(markers.Select(m => new AppendRequest(MarkerEnvelope(m.Namespace, m.Marker), m.DedupWindow))).ToList();
        var results = await append(requests);
        for (var m = 0; m < markers.Count; m++)
        {
            var (ns, marker, _) = markers[m];
            var result = results[plain.Count + m];
            try
            {
                if (result.Durable != Trilean.True)
                {
                    RuntimeLog.MarkerNotAppended(logger, marker.MessageId, ns, result.Error);
                }
                else if (result.MessageId != marker.MessageId)
                {
                    // The last chunk's idempotency key was claimed by an earlier transaction: this one is over.
                    await store.FinishAsync(ns, marker.TransactionId, time.GetUtcNow(), CancellationToken.None);
                }
                else
                {
                    await store.MarkEnqueuedAsync(ns, marker.TransactionId, CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Left pending: a sweep appends the marker again, which finds the transaction as it is.
                RuntimeLog.MarkerNotAppended(logger, marker.MessageId, ns, ex.Message);
            }
        }

        return results;
    }

    private async Task<ChunkStaging> StageAsync(AppendRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var envelope = request.Envelope;
        var chunk = request.Chunk!;
        try
        {
            return await store.StageAsync(
                envelope.Meta.Namespace, envelope.MessageId, chunk, envelope.Payload, chunk.Last ? EnvelopeCodec.EncodeMeta(envelope.Meta) : null, now, MarkerGrace, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The commit may or may not have happened: sending the chunk again settles it.
            return new ChunkStaging(new AppendResult(Trilean.Unknown, envelope.MessageId, $"the chunk could not be staged: {ex.Message}"));
        }
    }

    /// <summary>The marker: the last chunk's write fields under the transaction's id, with the chunk count and no payload.</summary>
    private static Envelope MarkerEnvelope(string ns, PendingMarker marker)
    {
        var meta = EnvelopeCodec.DecodeMeta(marker.LastMeta);
        meta.Namespace = ns;
        meta.MessageId = marker.MessageId;
        meta.TransactionId = marker.TransactionId;
        meta.ChunkCount = marker.ChunkCount;
        return new Envelope(meta, ReadOnlyMemory<byte>.Empty);
    }
}
