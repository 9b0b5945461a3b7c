namespace WalService.Targets.Wal;

/// <summary>
/// One WalService a <c>wal</c> target may forward to, <c>Wal:Remotes:&lt;name&gt;</c>; <c>WalTarget.endpoint</c> names
/// it. Certificates and keys are PEM files read when the first delivery to the remote opens its channel.
/// </summary>
public sealed class WalRemoteOptions
{
    /// <summary>The remote's gRPC address, <c>http://</c> or <c>https://</c>; required.</summary>
    public string? Address { get; set; }

    /// <summary>
    /// Sent as <c>authorization: Bearer &lt;key&gt;</c> on every call. Over an <c>http://</c> address too: the operator
    /// who configured both chose it (a network they trust, a sidecar that encrypts). [none]
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>The client certificate presented to the remote (mTLS), PEM; with <see cref="ClientKeyPath"/>. [none]</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>The client certificate's private key, PEM (unencrypted PKCS#8, or PKCS#1/SEC1). [none]</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>
    /// The CA(s) the remote's certificate must chain to, PEM; the system's trust store when unset. The certificate must
    /// also name the address's host either way.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>The deadline of one <c>WriteToLog</c> call, and so how long one delivery may take. [10 s]</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(10);
}
