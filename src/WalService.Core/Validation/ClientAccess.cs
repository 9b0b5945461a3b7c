using Grpc.Core;
using WalService.Core.Model;

namespace WalService.Core.Validation;

/// <summary>
/// Whether a client identity may write to a namespace or read its message statuses: any identity (or none, where the
/// server runs without authentication) when <c>allowed_clients</c> is empty, otherwise only the identities it lists.
/// </summary>
public static class ClientAccess
{
    /// <summary>The longest piece of a client-chosen identity an error message repeats.</summary>
    private const int MaxEchoedChars = 64;

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
            : new WriteRejection(StatusCode.PermissionDenied, $"client '{Echo(clientId)}' is not in allowed_clients of namespace '{ns.Name}'");
    }

    /// <summary>A client identity as error messages repeat it: at most <see cref="MaxEchoedChars"/> characters.</summary>
    public static string Echo(string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        return clientId.Length <= MaxEchoedChars ? clientId : string.Concat(clientId.AsSpan(0, MaxEchoedChars), "...");
    }
}
