using System.Globalization;
using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>One attempt to deliver a message.</summary>
/// <param name="Namespace">The namespace the message was written to.</param>
/// <param name="Envelope">The message.</param>
/// <param name="Attempt">1-based.</param>
/// <param name="Chunk">Set when this delivery is one chunk of a transaction, to a target that takes its chunks one by one.</param>
public sealed record Delivery(string Namespace, Envelope Envelope, int Attempt, ChunkPosition? Chunk = null);

/// <summary>Which chunk of which transaction a delivery carries (headers <c>wal-transaction-id</c>, <c>wal-chunk</c>, <c>wal-chunk-count</c>).</summary>
/// <param name="TransactionId">The client's transaction id.</param>
/// <param name="Sequence">The chunk's sequence, 0-based.</param>
/// <param name="Count">How many chunks the transaction has.</param>
public sealed record ChunkPosition(string TransactionId, int Sequence, int Count)
{
    /// <summary>The headers (HTTP, Kafka) or attributes (SQS) that say it to every target, names and values as sent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers =>
    [
        new("wal-transaction-id", TransactionId),
        new("wal-chunk", Sequence.ToString(CultureInfo.InvariantCulture)),
        new("wal-chunk-count", Count.ToString(CultureInfo.InvariantCulture)),
    ];
}
