using System.Security.Cryptography.X509Certificates;

namespace WalService.Server.Hosting;

/// <summary>
/// Who is calling and what they may do, section <c>Wal:Auth</c>. A client proves its identity with an API key
/// (<c>authorization: Bearer &lt;key&gt;</c>) or a TLS client certificate (its subject CN). With neither configured
/// (the default) a client may name itself in the <c>wal-client-id</c> header, which suits a trusted network only: a
/// <c>Grpc</c> or <c>Http</c> endpoint on a non-loopback address then needs <see cref="AllowAnonymous"/>.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Wal:Auth";

    /// <summary>
    /// API keys by client id: <c>Wal:Auth:ApiKeys:&lt;client id&gt;:Sha256</c> = lowercase hex SHA-256 of the key's
    /// UTF-8 bytes, so configuration holds no secret. Empty (the default) = no API keys.
    /// </summary>
    public Dictionary<string, ApiKeyOptions> ApiKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>TLS client certificates as identities: <c>Wal:Auth:ClientCertificates</c>.</summary>
    public ClientCertificateOptions ClientCertificates { get; } = new();

    /// <summary>
    /// Identities that may call <c>wal.v1.NamespaceAdmin</c> and read any namespace's message statuses
    /// (<c>Wal:Auth:Admins:0</c>, <c>:1</c>, ...). With authentication configured, nobody else may; with none and
    /// this empty (the default), admin calls are open to the trusted network.
    /// </summary>
    public List<string> Admins { get; } = [];

    /// <summary>Lets a non-loopback <c>Grpc</c> or <c>Http</c> endpoint run without authentication. [false]</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Failed authentications one client address may make within <see cref="FailureWindow"/> before its further attempts are refused unchecked. [10]</summary>
    public int FailureLimit { get; set; } = 10;

    /// <summary>The window <see cref="FailureLimit"/> counts in, and the longest an address stays throttled. [1 minute]</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>True when API keys or client certificates establish identities (rather than the <c>wal-client-id</c> header).</summary>
    public bool AuthenticationConfigured => ApiKeys.Count > 0 || ClientCertificates.Mode != ClientCertificateMode.None;
}

/// <summary>One client's API key, by its hash.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>Lowercase hex SHA-256 of the key's UTF-8 bytes (64 characters); <c>walctl auth hash-key</c> prints it.</summary>
    public string? Sha256 { get; set; }
}

/// <summary>Client certificates, section <c>Wal:Auth:ClientCertificates</c>.</summary>
public sealed class ClientCertificateOptions
{
    /// <summary>Whether the https endpoints ask for a client certificate. [None]</summary>
    public ClientCertificateMode Mode { get; set; }

    /// <summary>PEM file of the CA (one or more certificates) that client certificates must chain to; required unless <see cref="Mode"/> is None.</summary>
    public string? CaPath { get; set; }

    /// <summary>Revocation check of client certificate chains. [NoCheck]</summary>
    public X509RevocationMode RevocationMode { get; set; } = X509RevocationMode.NoCheck;
}

/// <summary>Whether the https endpoints ask TLS clients for a certificate.</summary>
public enum ClientCertificateMode
{
    /// <summary>No client certificates: identities come from API keys or the <c>wal-client-id</c> header.</summary>
    None,

    /// <summary>Asked for; a client without one may still use an API key.</summary>
    Allow,

    /// <summary>Required at the TLS handshake.</summary>
    Require,
}
