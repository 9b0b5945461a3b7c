namespace WalService.Client;

/// <summary>How to reach a WalService server (configuration section <c>WalClient</c>).</summary>
public sealed class WalClientOptions
{
    public const string Section = "WalClient";

    /// <summary>The server's gRPC endpoint [http://127.0.0.1:7070]; <c>https://</c> for TLS.</summary>
    public Uri Address { get; set; } = new("http://127.0.0.1:7070");

    /// <summary>Sent as <c>authorization: Bearer &lt;key&gt;</c> when the server requires API keys; null = none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Sent as <c>wal-client-id</c> when the server takes self-named clients; null = none.</summary>
    public string? ClientId { get; set; }

    /// <summary>Deadline of each call [30 s].</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// PEM file of the certificate authority the server's TLS certificate must chain to, instead of the system's
    /// trusted roots (a private CA); null = the system's roots.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>PEM file of the client certificate presented for mutual TLS (its subject CN is the identity); null = none.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>PEM file of the client certificate's private key; null = the key is in <see cref="ClientCertificatePath"/>.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>
    /// Send the API key over a plaintext <c>http://</c> address that is not loopback [false]. Anyone on the path can
    /// read it there, so only opt in on a network you trust; loopback addresses never leave the machine.
    /// </summary>
    public bool AllowPlaintextCredentials { get; set; }
}
