using System.Security.Claims;
using Grpc.Core;

namespace WalService.Server.Security;

/// <summary>The identity <see cref="WalAuthenticationHandler"/> established for a call, as services read it.</summary>
internal static class ClientIdentity
{
    /// <returns>The client id, or null for a call without an identity.</returns>
    public static string? Of(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Of(context.GetHttpContext().User);
    }

    public static string? Of(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;
}
