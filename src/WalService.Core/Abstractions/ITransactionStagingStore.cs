using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>
/// Where backends that keep no state of their own (Kafka, SQS) stage the chunks of transactions: a table of the
/// control-plane database (<c>control.db</c>, or PostgreSQL when instances share it), so the chunks of one transaction
/// may arrive through any instance. Every method is safe when several instances call it at once: a transaction's
/// header row is locked while a chunk is staged, so exactly one call completes it.
/// </summary>
public interface ITransactionStagingStore
{
    /// <summary>
    /// Stages one chunk, or finds it staged already (a repeat changes nothing), or refuses it against what is staged
    /// (<see cref="StagingRules"/>). <paramref name="candidateId"/> becomes the transaction's id when this is its first
    /// chunk; <paramref name="lastMeta"/> is the encoded write fields of a last chunk. The call that stages the final
    /// missing chunk answers <see cref="ChunkStaging.Completed"/> with the marker's write fields; the transaction then
    /// waits for its marker, which is due again for <see cref="ClaimPendingMarkersAsync"/> after <paramref name="markerGrace"/>.
    /// </summary>
    Task<ChunkStaging> StageAsync(
        string ns, string candidateId, TransactionChunk chunk, ReadOnlyMemory<byte> payload, byte[]? lastMeta, DateTimeOffset now, TimeSpan markerGrace, CancellationToken cancellationToken);

    /// <summary>The marker of the transaction was appended to the log: it is no longer pending.</summary>
    Task MarkEnqueuedAsync(string ns, string transactionId, CancellationToken cancellationToken);

    /// <summary>
    /// Complete transactions whose marker was not confirmed appended by <paramref name="now"/> (the instance that completed
    /// them crashed, or its append failed); each is claimed for <paramref name="markerGrace"/> more, so instances
    /// sweeping at once send it once.
    /// </summary>
    Task<IReadOnlyList<PendingMarker>> ClaimPendingMarkersAsync(string ns, DateTimeOffset now, TimeSpan markerGrace, CancellationToken cancellationToken);

    /// <summary>See <see cref="IStagedChunks.ReadChunksAsync"/>.</summary>
    Task<IReadOnlyList<StagedChunk>> ReadChunksAsync(string ns, string transactionId, CancellationToken cancellationToken);

    /// <summary>See <see cref="IStagedChunks.MarkDeliveredAsync"/>.</summary>
    Task MarkDeliveredAsync(string ns, string transactionId, int sequence, CancellationToken cancellationToken);

    /// <summary>The transaction was applied: its chunks go; its header stays, so a chunk sent again is a repeat.</summary>
    Task FinishAsync(string ns, string transactionId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// How many chunks the transaction of <paramref name="messageId"/> has staged while it is incomplete (expired too:
    /// its dead-letter status is recorded just after it expires) or complete and not over (its marker may still be
    /// pending, with no status in the ledger yet); null otherwise.
    /// </summary>
    Task<StagedCount?> ChunksStagedAsync(string ns, string messageId, CancellationToken cancellationToken);

    /// <summary>
    /// Marks every transaction of <paramref name="ns"/> still incomplete whose first chunk was staged before
    /// <paramref name="startedBefore"/> expired, and answers them, for the caller to dead-letter. A chunk sent after is
    /// refused; the chunks stay until <see cref="PurgeAsync"/>.
    /// </summary>
    Task<IReadOnlyList<ExpiredTransaction>> ExpireAsync(string ns, DateTimeOffset startedBefore, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the chunks of the transactions of these message ids (purged dead letters).</summary>
    Task PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Forgets the headers of transactions over before <paramref name="before"/>, and everything of a dropped namespace when it is null.</summary>
    Task TrimAsync(string ns, DateTimeOffset? before, CancellationToken cancellationToken);
}

/// <summary>What staging a chunk came to.</summary>
/// <param name="Result">The chunk write's answer: TRUE with the transaction's id, or why it was refused.</param>
/// <param name="Completed">Set when this chunk completed the transaction: its marker is to be appended.</param>
public readonly record struct ChunkStaging(AppendResult Result, PendingMarker? Completed = null);

/// <summary>How far a transaction not over has come.</summary>
/// <param name="Staged">Its chunks staged.</param>
/// <param name="Complete">Whether chunks 0..last are all staged.</param>
public readonly record struct StagedCount(int Staged, bool Complete);

/// <summary>A complete transaction whose marker is to be appended.</summary>
/// <param name="TransactionId">The client's transaction id.</param>
/// <param name="MessageId">The transaction's id, the marker's.</param>
/// <param name="ChunkCount">Its chunks, 0..last.</param>
/// <param name="LastMeta">The encoded write fields of its last chunk.</param>
public sealed record PendingMarker(string TransactionId, string MessageId, int ChunkCount, byte[] LastMeta);

/// <summary>A transaction that expired incomplete.</summary>
/// <param name="TransactionId">The client's transaction id.</param>
/// <param name="MessageId">The transaction's id, its dead letter's.</param>
/// <param name="FirstStaged">When its first chunk was staged.</param>
/// <param name="Missing">The missing sequences, in order; with <paramref name="LastKnown"/> false, the last chunk is missing too.</param>
/// <param name="LastKnown">Whether its last chunk was staged.</param>
/// <param name="LastMeta">The encoded write fields of the last chunk, when it was staged.</param>
public sealed record ExpiredTransaction(string TransactionId, string MessageId, DateTimeOffset FirstStaged, IReadOnlyList<int> Missing, bool LastKnown, byte[]? LastMeta);
