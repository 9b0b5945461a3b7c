using Microsoft.AspNetCore.Authorization;
using WalService.Core.Validation;

namespace WalService.Server.Security;

/// <summary>
/// The authorization policies the gRPC services carry. <see cref="Client"/> (wal.v1.WriteAheadLog): an identity
/// whenever authentication is configured; the namespace's <c>allowed_clients</c> is judged by the service.
/// <see cref="Admin"/> (wal.v1.NamespaceAdmin): an identity listed in <c>Wal:Auth:Admins</c> whenever authentication
/// is configured or admins are named; otherwise open, as on a trusted network.
/// </summary>
internal static class WalPolicies
{
    public const string Client = "wal-client";
    public const string Admin = "wal-admin";

    public static void Add(AuthorizationOptions options, AuthSettings settings)
    {
        options.AddPolicy(Client, policy =>
        {
            policy.AddAuthenticationSchemes(WalAuthenticationHandler.SchemeName);
            if (settings.AuthenticationConfigured)
            {
                policy.RequireAuthenticatedUser();
            }
            else
            {
                policy.RequireAssertion(_ => true);
            }
        });
        options.AddPolicy(Admin, policy =>
        {
            policy.AddAuthenticationSchemes(WalAuthenticationHandler.SchemeName);
            if (settings.AdminCallsRestricted)
            {
                policy.RequireAuthenticatedUser().AddRequirements(new AdminRequirement(settings));
            }
            else
            {
                policy.RequireAssertion(_ => true);
            }
        });
    }

    /// <summary>The caller is listed in <c>Wal:Auth:Admins</c>; a failure says so in its reason.</summary>
    private sealed class AdminRequirement(AuthSettings settings) : AuthorizationHandler<AdminRequirement>, IAuthorizationRequirement
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminRequirement requirement)
        {
            var clientId = ClientIdentity.Of(context.User);
            if (settings.IsAdmin(clientId))
            {
                context.Succeed(requirement);
            }
            else if (clientId is not null)
            {
                context.Fail(new AuthorizationFailureReason(this, $"client {ClientText.Quote(clientId)} is not an admin: wal.v1.NamespaceAdmin is for the identities in Wal:Auth:Admins"));
            }

            return Task.CompletedTask;
        }
    }
}
