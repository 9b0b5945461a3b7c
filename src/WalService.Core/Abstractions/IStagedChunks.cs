namespace WalService.Core.Abstractions;

/// <summary>
/// The staged chunks of transactions, as the consumer reads them when it delivers a completion marker. Implemented by a
/// backend that stages chunks (the embedded log); chunks of an applied or purged transaction are deleted by it.
/// </summary>
public interface IStagedChunks
{
    /// <summary>The chunks of the transaction in sequence order; empty when none are staged (any more).</summary>
    Task<IReadOnlyList<StagedChunk>> ReadChunksAsync(string ns, string transactionId, CancellationToken cancellationToken);

    /// <summary>Records durably that a chunk was delivered, so a retry of the transaction resumes after it.</summary>
    Task MarkDeliveredAsync(string ns, string transactionId, int sequence, CancellationToken cancellationToken);

    /// <summary>
    /// Dead-letters every transaction of <paramref name="ns"/> still incomplete whose first chunk was staged before
    /// <paramref name="startedBefore"/>: one dead letter of the transaction's id, whose <c>last_error</c> names the
    /// missing chunks. Its chunks stay until it is purged; a redrive leaves it. Answers how many expired.
    /// </summary>
    Task<long> ExpireAsync(string ns, DateTimeOffset startedBefore, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>One staged chunk.</summary>
/// <param name="Sequence">0-based.</param>
/// <param name="Payload">The chunk's payload.</param>
/// <param name="Delivered">Whether an earlier attempt delivered it to a target that takes chunks one by one.</param>
public sealed record StagedChunk(int Sequence, ReadOnlyMemory<byte> Payload, bool Delivered);
