using System.Text.RegularExpressions;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Model;

namespace WalService.Core.Validation;

/// <summary>
/// The front door's rules of <c>WriteToLogRequest.chunk</c> (docs/api.md "Transactions"): those that need nothing
/// staged. What depends on the chunks already staged (a second last chunk, a chunk beyond the last, the transaction's
/// bytes) is the staging backend's to refuse.
/// </summary>
public static partial class ChunkRules
{
    public const int MaxTransactionIdLength = 128;

    /// <summary>The rejection of <paramref name="chunk"/> in <paramref name="ns"/>, or null when it may be staged.</summary>
    public static WriteRejection? Validate(Chunk chunk, NamespaceSettings ns)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(ns);
        if (!TransactionIdPattern().IsMatch(chunk.TransactionId))
        {
            return WriteRejection.Invalid($"chunk.transaction_id {ClientText.Quote(chunk.TransactionId)} must be 1-{MaxTransactionIdLength} characters of [A-Za-z0-9._:-]");
        }

        if (chunk.Sequence < 0)
        {
            return WriteRejection.Invalid($"chunk.sequence {chunk.Sequence} must not be negative");
        }

        return chunk.Sequence >= ns.MaxChunks
            ? WriteRejection.Invalid($"chunk.sequence {chunk.Sequence} must be below namespace '{ns.Name}' transactions.max_chunks={ns.MaxChunks}")
            : null;
    }

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[A-Za-z0-9._:-]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TransactionIdPattern();
}
