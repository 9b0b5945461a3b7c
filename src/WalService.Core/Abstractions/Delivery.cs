using System.Globalization;
using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>One attempt to deliver a message.</summary>
/// <param name="Namespace">The namespace the message was written to.</param>
/// <param name="Envelope">The message.</param>
/// <param name="Attempt">1-based.</param>
/// <param name="Chunk">Set when this delivery is one chunk of a transaction, to a target that takes its chunks one by one.</param>
/// <param name="Region">
/// For a replicated namespace, the region delivered to (header <c>wal-region</c>); empty otherwise. The envelope then
/// carries the message's own id, not its replica's.
/// </param>
public sealed record Delivery(string Namespace, Envelope Envelope, int Attempt, ChunkPosition? Chunk = null, string Region = "")
{
    /// <summary>
    /// What a target that applies a message once keys it by: the message id, and for a replicated namespace the id
    /// within its region, so that two regions writing to one store both apply.
    /// </summary>
    public string ApplyId => Region.Length == 0 ? Envelope.MessageId : Replicas.Id(Envelope.MessageId, Region);
}

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
