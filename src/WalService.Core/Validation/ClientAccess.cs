using Grpc.Core;
using WalService.Core.Model;

namespace WalService.Core.Validation;

/// <summary>
/// Whether a client identity may write to a namespace or read its message statuses: any identity (or none, where the
/// server runs without authentication) when <c>allowed_clients</c> is empty, otherwise only the identities it lists.
/// </summary>
public static class ClientAccess
{
    /// <returns>null when <paramref name="clientId"/> may; otherwise UNAUTHENTICATED (no identity) or PERMISSION_DENIED.</returns>
    public static WriteRejection? Check(NamespaceSettings ns, string? clientId)
    {
        ArgumentNullException.ThrowIfNull(ns);
        if (ns.AllowedClients.Count == 0)
        {
            return null;
        }

        if (clientId is null)
        {
            return new WriteRejection(StatusCode.Unauthenticated, $"namespace '{ns.Name}' accepts only named clients; the call carries no client identity");
        }

        return ns.AllowedClients.Contains(clientId)
            ? null
            : new WriteRejection(StatusCode.PermissionDenied, $"client {ClientText.Quote(clientId)} is not in allowed_clients of namespace '{ns.Name}'");
    }
}
