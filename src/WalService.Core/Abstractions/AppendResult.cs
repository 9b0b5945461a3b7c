using WalService.Api.V1;

namespace WalService.Core.Abstractions;

/// <summary>What a backend says of one append.</summary>
/// <param name="Durable">TRUE: persisted; FALSE: certainly not; UNKNOWN: may or may not be (docs/api.md "What durable promises").</param>
/// <param name="MessageId">The stored message's id; for an idempotent repeat, the first write's id.</param>
/// <param name="Error">Why, when not TRUE.</param>
public readonly record struct AppendResult(Trilean Durable, string MessageId, string? Error = null)
{
    public static AppendResult Persisted(string messageId) => new(Trilean.True, messageId);
}
