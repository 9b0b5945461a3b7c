using Grpc.Core;

namespace WalService.Core.Validation;

/// <summary>Why a write was refused before anything was attempted (docs/api.md "Status codes").</summary>
/// <param name="Code">The gRPC status a single <c>WriteToLog</c> answers with.</param>
/// <param name="Message">Names the field or the limit.</param>
/// <param name="RetryAfter">For RESOURCE_EXHAUSTED: when to retry (trailer <c>retry-after-ms</c>).</param>
public sealed record WriteRejection(StatusCode Code, string Message, TimeSpan? RetryAfter = null)
{
    public static WriteRejection Invalid(string message) => new(StatusCode.InvalidArgument, message);
}
