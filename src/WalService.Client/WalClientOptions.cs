namespace WalService.Client;

/// <summary>How to reach a WalService server (configuration section <c>WalClient</c>).</summary>
public sealed class WalClientOptions
{
    public const string Section = "WalClient";

    /// <summary>The server's gRPC endpoint [http://127.0.0.1:7070].</summary>
    public Uri Address { get; set; } = new("http://127.0.0.1:7070");

    /// <summary>Sent as <c>authorization: Bearer &lt;key&gt;</c> when the server requires API keys; null = none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Sent as <c>wal-client-id</c> when the server takes self-named clients; null = none.</summary>
    public string? ClientId { get; set; }

    /// <summary>Deadline of each call [30 s].</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
