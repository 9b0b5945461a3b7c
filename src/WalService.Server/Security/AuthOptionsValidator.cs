using System.Net;
using Microsoft.Extensions.Options;
using WalService.Server.Hosting;

namespace WalService.Server.Security;

/// <summary>
/// Refuses to start on settings that would leave the server open or misread: API keys in the old plain form, hashes
/// that are not SHA-256 hex, client certificates without a CA, and a network-facing endpoint without authentication.
/// Messages never repeat a configured secret.
/// </summary>
internal sealed class AuthOptionsValidator(IConfiguration configuration) : IValidateOptions<AuthOptions>
{
    /// <summary>The endpoints that serve the API; <c>Ops</c> serves health and metrics only.</summary>
    private static readonly string[] ApiEndpoints = ["Grpc", "Http"];

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckApiKeys(options, failures);
        CheckClientCertificates(options.ClientCertificates, failures);
        if (options.Admins.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("Wal:Auth:Admins: an entry is empty");
        }

        if (options.FailureLimit < 1)
        {
            failures.Add("Wal:Auth:FailureLimit: must be at least 1");
        }

        if (options.FailureWindow <= TimeSpan.Zero)
        {
            failures.Add("Wal:Auth:FailureWindow: must be positive");
        }

        if (!options.AuthenticationConfigured && !options.AllowAnonymous)
        {
            foreach (var endpoint in ApiEndpoints)
            {
                var url = configuration[$"Kestrel:Endpoints:{endpoint}:Url"];
                if (url is not null && !IsLoopback(url))
                {
                    failures.Add($"Kestrel:Endpoints:{endpoint}:Url is {url}, not a loopback address, and no authentication is configured "
                        + "(Wal:Auth:ApiKeys or Wal:Auth:ClientCertificates:Mode): configure one, or set Wal:Auth:AllowAnonymous=true "
                        + "to let any client on that network name itself in 'wal-client-id' and administer namespaces");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// True when a Kestrel URL binds loopback only: <c>localhost</c> or a loopback IP. A wildcard (<c>*</c>, <c>+</c>,
    /// <c>0.0.0.0</c>, <c>[::]</c>), another IP or a host name reaches further.
    /// </summary>
    internal static bool IsLoopback(string url)
    {
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var end = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = end < 0 ? rest : rest[..end];
        string host;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            host = close < 0 ? authority : authority[1..close];
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
        }

        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    private void CheckApiKeys(AuthOptions options, List<string> failures)
    {
        var oldForm = configuration.GetSection($"{AuthOptions.Section}:ApiKeys").GetChildren().Count(c => c.Value is not null && !c.GetChildren().Any());
        if (oldForm > 0)
        {
            // The old form's key names are the secrets themselves: count them, never name them.
            failures.Add($"Wal:Auth:ApiKeys holds {oldForm} plain value(s) in the old form '<key> = <client id>', which is no longer read: "
                + "configure each key by its hash, Wal:Auth:ApiKeys:<client id>:Sha256 = <lowercase hex SHA-256 of the key> "
                + "('walctl auth hash-key' prints it), and remove the old entries, whose names are secrets");
            return;
        }

        var byHash = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (clientId, key) in options.ApiKeys)
        {
            if (!ApiKeyTable.IsSha256Hex(key.Sha256))
            {
                failures.Add($"Wal:Auth:ApiKeys:{clientId}:Sha256: must be 64 lowercase hex digits, the SHA-256 of the key ('walctl auth hash-key' prints it)");
            }
            else if (!byHash.TryAdd(key.Sha256!, clientId))
            {
                failures.Add($"Wal:Auth:ApiKeys:{clientId}:Sha256: the same key as client '{byHash[key.Sha256!]}'; one key names one client");
            }
        }
    }

    private static void CheckClientCertificates(ClientCertificateOptions options, List<string> failures)
    {
        if (options.Mode == ClientCertificateMode.None)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(options.CaPath))
        {
            failures.Add($"Wal:Auth:ClientCertificates:CaPath: required when Mode is {options.Mode}: the PEM file of the CA client certificates must chain to");
        }
        else if (!File.Exists(options.CaPath))
        {
            failures.Add($"Wal:Auth:ClientCertificates:CaPath: no file at '{options.CaPath}'");
        }
    }
}
