using WalService.Api.V1;

namespace WalService.Client;

/// <summary>Optional parts of a write; see <c>WriteToLogRequest</c> in docs/api.md.</summary>
public sealed class WalWriteOptions
{
    /// <summary>Deliver after this long; null = as soon as possible.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>Deliver at this time; null = as soon as possible. Not together with <see cref="Delay"/>.</summary>
    public DateTimeOffset? DeliverAt { get; init; }

    /// <summary>A repeat within the namespace's dedup window returns the first write's id and enqueues nothing.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Messages with the same key are delivered in write order.</summary>
    public string? OrderingKey { get; init; }

    /// <summary>Overrides the namespace's target, where the namespace allows it.</summary>
    public Target? Target { get; init; }

    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
