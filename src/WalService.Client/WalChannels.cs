using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace WalService.Client;

/// <summary>
/// The transport side of <see cref="WalClientOptions"/>: the HTTP handler with the TLS settings (a private CA, a
/// client certificate), and the rule for sending an API key over plaintext. Shared by <c>AddWalClient</c> and
/// anything that builds its own channel.
/// </summary>
public static class WalChannels
{
    /// <summary>
    /// A handler for a gRPC channel to <see cref="WalClientOptions.Address"/>: HTTP/2 over several connections when
    /// streams run out, the client certificate when one is configured, and the server's certificate checked against
    /// <see cref="WalClientOptions.CaCertificatePath"/> when one is configured. Throws when a file cannot be read.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(WalClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        };
        if (options.ClientCertificatePath is { Length: > 0 } certificatePath)
        {
            handler.SslOptions.ClientCertificates = [LoadClientCertificate(certificatePath, options.ClientKeyPath)];
        }

        if (options.CaCertificatePath is { Length: > 0 } caPath)
        {
            var roots = LoadCertificates(caPath, "CaCertificatePath");
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                ChainsTo(certificate, errors, roots);
        }

        return handler;
    }

    /// <summary>
    /// Whether an API key may travel over this address: always over <c>https://</c>, and over <c>http://</c> only to
    /// a loopback address or when <see cref="WalClientOptions.AllowPlaintextCredentials"/> is set.
    /// </summary>
    public static bool MaySendCredentials(WalClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Address.Scheme == Uri.UriSchemeHttps || options.AllowPlaintextCredentials || IsLoopback(options.Address);
    }

    /// <summary>Why these options cannot be used, or null: an API key that would travel in plaintext without opt-in.</summary>
    public static string? CredentialProblem(WalClientOptions options) =>
        options is { ApiKey.Length: > 0 } && !MaySendCredentials(options)
            ? $"an API key would be sent in plaintext to {options.Address}: use an https:// address, or opt in with AllowPlaintextCredentials on a network you trust"
            : null;

    private static bool IsLoopback(Uri address) =>
        address.IsLoopback || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static X509Certificate2 LoadClientCertificate(string certificatePath, string? keyPath) =>
        X509Certificate2.CreateFromPemFile(certificatePath, keyPath is { Length: > 0 } ? keyPath : null);

    private static X509Certificate2Collection LoadCertificates(string path, string setting)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates.Count > 0
            ? certificates
            : throw new InvalidOperationException($"{setting}: '{path}' holds no PEM certificate");
    }

    /// <summary>True when the server's certificate is valid for the host name and chains to one of <paramref name="roots"/>.</summary>
    private static bool ChainsTo(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }
}
