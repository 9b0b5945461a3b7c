using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Abstractions;

namespace WalService.Core.Model;

/// <summary>
/// What a chunk comes to against the chunks of its transaction staged before (docs/api.md "Transactions"), for the
/// stores that stage chunks in the control plane: a repeat, a refusal naming the field, or a chunk to stage.
/// </summary>
public static class StagingRules
{
    /// <summary>Chunks are missing.</summary>
    public const int Staging = 0;

    /// <summary>Every chunk is staged: its marker is pending, or in the log.</summary>
    public const int Complete = 1;

    /// <summary>Applied or purged: its chunks are gone.</summary>
    public const int Over = 2;

    /// <summary>Dead-lettered incomplete after the namespace's <c>transactions.timeout</c>.</summary>
    public const int Expired = 3;

    /// <summary>The most missing sequences an expired transaction's <c>last_error</c> lists one by one.</summary>
    private const int MissingListed = 20;

    /// <summary>Decides a chunk of transaction <paramref name="header"/> (null: its first).</summary>
    /// <param name="header">The transaction as staged, locked for this decision.</param>
    /// <param name="chunk">The chunk.</param>
    /// <param name="chunkStaged">Whether a chunk of this sequence is staged already.</param>
    /// <param name="highestStaged">The highest sequence staged, if any.</param>
    /// <param name="payloadBytes">The chunk's payload length.</param>
    public static StagingDecision Decide(StagedHeader? header, TransactionChunk chunk, bool chunkStaged, int? highestStaged, int payloadBytes)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var txn = chunk.TransactionId;
        if (header?.LastSeq is { } last)
        {
            if (chunk.Last && chunk.Sequence != last)
            {
                return StagingDecision.Refuse($"chunk.last: transaction '{txn}' already has its last chunk at sequence {last}");
            }

            if (chunk.Sequence > last)
            {
                return StagingDecision.Refuse($"chunk.sequence {chunk.Sequence} is beyond transaction '{txn}''s last chunk, sequence {last}");
            }
        }

        if (header is { State: Expired } && !chunkStaged)
        {
            return new StagingDecision(
                new AppendResult(Trilean.False, header.Id, $"chunk.transaction_id: transaction '{txn}' was dead-lettered incomplete after the namespace's transactions.timeout", StatusCode.FailedPrecondition));
        }

        if (header is { State: not Staging } || chunkStaged)
        {
            // Staged before (or the transaction is complete, so every chunk up to its last was): a repeat.
            return new StagingDecision(AppendResult.Persisted(header?.Id ?? string.Empty));
        }

        if (chunk.Last && highestStaged is { } highest && highest > chunk.Sequence)
        {
            return StagingDecision.Refuse($"chunk.last: transaction '{txn}' has chunk {highest} staged beyond sequence {chunk.Sequence}");
        }

        var bytes = (header?.Bytes ?? 0) + payloadBytes;
        if (bytes > chunk.MaxBytes)
        {
            return StagingDecision.Refuse($"payload: transaction '{txn}' would stage {bytes} bytes; the namespace allows transactions.max_bytes={chunk.MaxBytes}");
        }

        var staged = (header?.Staged ?? 0) + 1;
        var lastSeq = header?.LastSeq ?? (chunk.Last ? chunk.Sequence : null);
        return new StagingDecision(null, new StagedHeader(header?.Id ?? string.Empty, Staging, staged, bytes, lastSeq));
    }

    /// <summary>The sequences below the last (or up to the highest staged, when no last came) that are not staged.</summary>
    public static IReadOnlyList<int> MissingSequences(IReadOnlySet<int> staged, int? lastSeq)
    {
        ArgumentNullException.ThrowIfNull(staged);
        var end = lastSeq ?? (staged.Count == 0 ? -1 : staged.Max());
        return [.. Enumerable.Range(0, end + 1).Where(s => !staged.Contains(s))];
    }

    /// <summary>The <c>last_error</c> of a transaction dead-lettered incomplete: the missing sequences, the first 20 one by one.</summary>
    public static string IncompleteError(IReadOnlyList<int> missing, bool lastKnown)
    {
        ArgumentNullException.ThrowIfNull(missing);
        var listed = string.Join(", ", missing.Take(MissingListed)) + (missing.Count > MissingListed ? $" and {missing.Count - MissingListed} more" : string.Empty);
        return (missing.Count, lastKnown) switch
        {
            (_, true) => $"incomplete transaction: missing chunks {listed}",
            (0, false) => "incomplete transaction: missing the last chunk (none was sent with last = true)",
            _ => $"incomplete transaction: missing chunks {listed} and the last chunk (none was sent with last = true)",
        };
    }
}

/// <summary>A transaction's header row.</summary>
/// <param name="Id">The transaction's message id.</param>
/// <param name="State">One of the states of <see cref="StagingRules"/>.</param>
/// <param name="Staged">Chunks staged.</param>
/// <param name="Bytes">Payload bytes staged.</param>
/// <param name="LastSeq">The sequence of its last chunk, once that was staged.</param>
public sealed record StagedHeader(string Id, int State, int Staged, long Bytes, int? LastSeq)
{
    /// <summary>Whether chunks 0..last are all staged.</summary>
    public bool IsComplete => LastSeq is { } last && Staged == last + 1;
}

/// <summary>
/// Either the chunk's answer, when nothing is to be staged (a repeat answers the transaction's id), or the header
/// after staging it.
/// </summary>
public readonly record struct StagingDecision(AppendResult? Answer, StagedHeader? Next = null)
{
    public static StagingDecision Refuse(string error) => new(AppendResult.Refused(error));
}
