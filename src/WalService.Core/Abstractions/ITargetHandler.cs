using WalService.Api.V1;
using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>Delivers messages to one kind of <see cref="Target"/>.</summary>
public interface ITargetHandler
{
    Target.KindOneofCase Kind { get; }

    /// <summary>Problems with the target's settings, each naming its field; empty when it is usable.</summary>
    IEnumerable<string> Validate(Target target, string fieldPath);

    /// <summary>Prepares what the target needs before the first delivery (a table, a topic).</summary>
    Task PrepareAsync(Target target, CancellationToken cancellationToken);

    /// <summary>
    /// The longest one delivery to the target may take; a message's lease outlasts three of them, so a slow delivery
    /// is not handed out twice. A kind without a timeout of its own answers <see cref="NamespaceDefaults.DeliveryTimeout"/>.
    /// </summary>
    TimeSpan DeliveryTimeout(Target target) => NamespaceDefaults.DeliveryTimeout;

    /// <summary>
    /// Whether the target applies a transaction's chunks together: it is handed the chunks' payloads joined in sequence
    /// order as one delivery (a <c>kv</c> target's <c>KvMutationBatch</c> payloads join into one batch) and commits them
    /// at once. Otherwise each chunk is one delivery, in sequence order, with its <see cref="Delivery.Chunk"/>.
    /// </summary>
    bool AppliesChunksTogether => false;

    /// <summary>Delivers once and classifies the result; never throws for a failed delivery.</summary>
    ValueTask<DeliveryOutcome> DeliverAsync(Target target, Delivery delivery, CancellationToken cancellationToken);
}
