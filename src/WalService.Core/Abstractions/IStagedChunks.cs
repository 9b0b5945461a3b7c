using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>
/// The staged chunks of transactions, as the consumer reads them when it delivers a completion marker. Implemented by
/// every backend: the embedded log stages chunks in its own database, the logs on a broker in the control plane's.
/// </summary>
public interface IStagedChunks
{
    /// <summary>
    /// The chunks of the transaction in sequence order; empty when it is over (applied or purged: its chunks are
    /// deleted then, and only then), so a marker delivered again has nothing left to apply.
    /// </summary>
    Task<IReadOnlyList<StagedChunk>> ReadChunksAsync(string ns, string transactionId, CancellationToken cancellationToken);

    /// <summary>Records durably that a chunk was delivered, so a retry of the transaction resumes after it.</summary>
    Task MarkDeliveredAsync(string ns, string transactionId, int sequence, CancellationToken cancellationToken);

    /// <summary>The transaction was applied: its chunks are deleted, and it is over.</summary>
    Task FinishAsync(string ns, string transactionId, CancellationToken cancellationToken);

    /// <summary>
    /// Dead-letters every transaction of <paramref name="ns"/> still incomplete <c>transactions.timeout</c> after its
    /// first chunk: one dead letter of the transaction's id, whose <c>last_error</c> names the missing chunks. Its chunks
    /// stay until it is purged; a redrive leaves it. A backend may do more of its upkeep of transactions here. Answers
    /// how many expired.
    /// </summary>
    Task<long> SweepAsync(NamespaceSettings ns, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>One staged chunk.</summary>
/// <param name="Sequence">0-based.</param>
/// <param name="Payload">The chunk's payload.</param>
/// <param name="Delivered">Whether an earlier attempt delivered it to a target that takes chunks one by one.</param>
public sealed record StagedChunk(int Sequence, ReadOnlyMemory<byte> Payload, bool Delivered);
