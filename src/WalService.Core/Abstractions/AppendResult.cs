using Grpc.Core;
using WalService.Api.V1;

namespace WalService.Core.Abstractions;

/// <summary>What a backend says of one append.</summary>
/// <param name="Durable">TRUE: persisted; FALSE: certainly not; UNKNOWN: may or may not be (docs/api.md "What durable promises").</param>
/// <param name="MessageId">The stored message's id; for an idempotent repeat, the first write's id.</param>
/// <param name="Error">Why, when not TRUE.</param>
/// <param name="Code">
/// <see cref="StatusCode.OK"/>, or the status that refuses the entry when the backend found it invalid against what it
/// holds (a chunk beyond its transaction's last one); nothing was persisted then.
/// </param>
public readonly record struct AppendResult(Trilean Durable, string MessageId, string? Error = null, StatusCode Code = StatusCode.OK)
{
    public static AppendResult Persisted(string messageId) => new(Trilean.True, messageId);

    /// <summary>Refused with <c>INVALID_ARGUMENT</c>; <paramref name="error"/> names the field.</summary>
    public static AppendResult Refused(string error) => new(Trilean.False, string.Empty, error, StatusCode.InvalidArgument);
}
