using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Core.Runtime;

/// <summary>
/// Delivers a transaction's completion marker (an envelope with a <c>transaction_id</c> and a <c>chunk_count</c>): its
/// staged chunks are read in sequence order and either handed to the target as one delivery, their payloads joined,
/// when the target applies chunks together (<see cref="ITargetHandler.AppliesChunksTogether"/>), or delivered one by
/// one, each recorded as delivered before the next, so that a retry resumes at the first chunk not yet applied.
/// </summary>
internal static class TransactionDelivery
{
    public static async Task<DeliveryOutcome> DeliverAsync(
        ITargetHandler handler, Api.V1.Target target, Delivery delivery, IStagedChunks? staging, CancellationToken cancellationToken)
    {
        var meta = delivery.Envelope.Meta;
        if (staging is null)
        {
            return DeliveryOutcome.DeadLetter($"transaction '{meta.TransactionId}': this namespace's backend stages no chunks");
        }

        var chunks = await staging.ReadChunksAsync(delivery.Namespace, meta.TransactionId, cancellationToken);
        if (chunks.Count == 0)
        {
            // Chunks go only with the transaction: a marker delivered again after it was applied has nothing to apply.
            return DeliveryOutcome.Applied;
        }

        if (chunks.Count != meta.ChunkCount)
        {
            // Staged chunks go only with the transaction (applied or purged): a complete marker finds them all.
            return DeliveryOutcome.DeadLetter($"transaction '{meta.TransactionId}': {chunks.Count} of its {meta.ChunkCount} chunks are staged");
        }

        var outcome = handler.AppliesChunksTogether
            ? await handler.DeliverAsync(target, delivery with { Envelope = new Envelope(meta, Join(chunks)) }, cancellationToken)
            : await DeliverEachAsync(handler, target, delivery, staging, chunks, cancellationToken);
        if (outcome.Verdict == DeliveryVerdict.Applied)
        {
            await staging.FinishAsync(delivery.Namespace, meta.TransactionId, cancellationToken);
        }

        return outcome;
    }

    private static async Task<DeliveryOutcome> DeliverEachAsync(
        ITargetHandler handler, Api.V1.Target target, Delivery delivery, IStagedChunks staging, IReadOnlyList<StagedChunk> chunks, CancellationToken cancellationToken)
    {
        var meta = delivery.Envelope.Meta;
        foreach (var chunk in chunks)
        {
            if (chunk.Delivered)
            {
                continue;
            }

            var position = new ChunkPosition(meta.TransactionId, chunk.Sequence, meta.ChunkCount);
            var outcome = await handler.DeliverAsync(target, delivery with { Envelope = new Envelope(meta, chunk.Payload), Chunk = position }, cancellationToken);
            if (outcome.Verdict != DeliveryVerdict.Applied)
            {
                return outcome;
            }

            await staging.MarkDeliveredAsync(delivery.Namespace, meta.TransactionId, chunk.Sequence, cancellationToken);
        }

        return DeliveryOutcome.Applied;
    }

    /// <summary>
    /// The chunks' payloads one after another. Protocol Buffers parse concatenated messages as one with the repeated
    /// fields of both, so <c>KvMutationBatch</c> payloads join into one batch holding every mutation in sequence order.
    /// </summary>
    private static byte[] Join(IReadOnlyList<StagedChunk> chunks)
    {
        var joined = new byte[chunks.Sum(c => c.Payload.Length)];
        var at = 0;
        foreach (var chunk in chunks)
        {
            chunk.Payload.Span.CopyTo(joined.AsSpan(at));
            at += chunk.Payload.Length;
        }

        return joined;
    }
}
