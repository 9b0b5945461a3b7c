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

    /// <summary>Delivers once and classifies the result; never throws for a failed delivery.</summary>
    ValueTask<DeliveryOutcome> DeliverAsync(Target target, Delivery delivery, CancellationToken cancellationToken);
}
