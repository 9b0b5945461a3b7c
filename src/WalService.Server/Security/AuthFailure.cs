using Grpc.Core;

namespace WalService.Server.Security;

/// <summary>Why a call's authentication was refused, kept in <c>HttpContext.Items</c> for the gRPC answer.</summary>
/// <param name="Code">UNAUTHENTICATED, or RESOURCE_EXHAUSTED while the client's address is throttled.</param>
/// <param name="Message">Says what was wrong; never repeats the credential.</param>
/// <param name="RetryAfter">For RESOURCE_EXHAUSTED: the longest the throttle lasts (trailer <c>retry-after-ms</c>).</param>
internal sealed record AuthFailure(StatusCode Code, string Message, TimeSpan? RetryAfter = null)
{
    public static readonly object ItemKey = new();

    public static readonly AuthFailure NoIdentity = new(
        StatusCode.Unauthenticated,
        "no client identity: send 'authorization: Bearer <api key>' or a client certificate");
}
