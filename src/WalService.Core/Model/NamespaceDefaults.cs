namespace WalService.Core.Model;

/// <summary>The defaults of <c>NamespaceConfig</c> (docs/api.md), taken wherever a field is zero or absent.</summary>
public static class NamespaceDefaults
{
    public const string Shard = "default";
    public const int MaxPayloadBytes = 1024 * 1024;

    public const int Concurrency = 4;
    public const int BatchSize = 100;
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7);
    public static readonly TimeSpan DedupWindow = TimeSpan.FromHours(24);
    public const int MaxChunks = 1000;
    public const long MaxTransactionBytes = 64L * 1024 * 1024;
    public static readonly TimeSpan TransactionTimeout = TimeSpan.FromHours(1);
    public static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a delivery to a target kind without a timeout of its own is taken to last at most (10 s).</summary>
    public static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(10);
}
