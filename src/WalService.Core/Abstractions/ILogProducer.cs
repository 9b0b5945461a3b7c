using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>One envelope to append, with its namespace's dedup window; with <paramref name="Chunk"/>, one chunk of a transaction to stage.</summary>
public readonly record struct AppendRequest(Envelope Envelope, TimeSpan DedupWindow, TransactionChunk? Chunk = null);

/// <summary>
/// Where a chunk goes in its transaction, with its namespace's limit. Only a backend whose <see cref="BackendTraits"/>
/// accept transactions is handed one; the front door has checked the id's form and the sequence's range.
/// </summary>
/// <param name="TransactionId">The client's transaction id.</param>
/// <param name="Sequence">0-based, below the namespace's <c>transactions.max_chunks</c>.</param>
/// <param name="Last">Whether this is the transaction's last chunk.</param>
/// <param name="MaxBytes">The namespace's <c>transactions.max_bytes</c>: payload bytes the whole transaction may stage.</param>
public sealed record TransactionChunk(string TransactionId, int Sequence, bool Last, long MaxBytes);

/// <summary>The write half of a log backend.</summary>
public interface ILogProducer
{
    /// <summary>
    /// Appends envelopes; <c>result[i]</c> answers <c>requests[i]</c>. A result is <c>Durable = TRUE</c> only after the
    /// backend persisted that envelope (embedded: its transaction committed and was fsynced). When
    /// <c>Meta.IdempotencyKey</c> is set and a message with that key was written within the request's dedup window,
    /// nothing is appended and the first id is returned. A request with a <see cref="AppendRequest.Chunk"/> stages that
    /// chunk instead: TRUE once it is staged durably, with the transaction's id; the transaction is appended as one
    /// message (its completion marker) once every chunk is staged. A chunk the staged ones rule out is answered with
    /// <see cref="AppendResult.Refused"/>.
    /// </summary>
    Task<AppendResult[]> AppendAsync(IReadOnlyList<AppendRequest> requests, CancellationToken cancellationToken);
}
