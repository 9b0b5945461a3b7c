namespace WalService.Server.Hosting;

/// <summary>
/// Client identity, section <c>Wal:Auth</c>. With no <see cref="ApiKeys"/> (the default) every call is accepted and a
/// client may name itself in the <c>wal-client-id</c> header (for a trusted network or a mesh that sets it). With
/// keys, every call must carry <c>authorization: Bearer &lt;key&gt;</c>; the key's client id is the identity that
/// <c>NamespaceConfig.allowed_clients</c> is checked against.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Wal:Auth";

    /// <summary>Client id by API key: <c>Wal:Auth:ApiKeys:&lt;key&gt; = &lt;client id&gt;</c>.</summary>
    public Dictionary<string, string> ApiKeys { get; } = new(StringComparer.Ordinal);
}
