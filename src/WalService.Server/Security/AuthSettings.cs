using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using WalService.Server.Hosting;

namespace WalService.Server.Security;

/// <summary><see cref="AuthOptions"/> as checked at start and compiled for the per-call path.</summary>
internal sealed class AuthSettings(IOptions<AuthOptions> options)
{
    private readonly AuthOptions _options = options.Value;

    public ApiKeyTable ApiKeys { get; } = new(options.Value.ApiKeys.Select(k => KeyValuePair.Create(k.Key, k.Value.Sha256!)));

    public FrozenSet<string> Admins { get; } = options.Value.Admins.ToFrozenSet(StringComparer.Ordinal);

    public ClientCertificateMode CertificateMode => _options.ClientCertificates.Mode;

    /// <inheritdoc cref="AuthOptions.AuthenticationConfigured"/>
    public bool AuthenticationConfigured => _options.AuthenticationConfigured;

    /// <summary>True when admin calls need an admin identity: authentication is configured, or admins are named.</summary>
    public bool AdminCallsRestricted => AuthenticationConfigured || Admins.Count > 0;

    /// <inheritdoc cref="AuthOptions.FailureLimit"/>
    public int FailureLimit => _options.FailureLimit;

    /// <inheritdoc cref="AuthOptions.FailureWindow"/>
    public TimeSpan FailureWindow => _options.FailureWindow;

    public bool IsAdmin(string? clientId) => clientId is not null && Admins.Contains(clientId);
}
