using System.ComponentModel.DataAnnotations;

namespace WalService.Core;

/// <summary>Server-wide settings, bound from the <c>Wal</c> configuration section.</summary>
public sealed class WalOptions
{
    public const string Section = "Wal";

    /// <summary>Folder of the embedded log, the SQLite control plane and the embedded kv store [./data].</summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>The shard this instance serves ["default"]. Namespaces of other shards are refused and not consumed.</summary>
    [Required]
    public string Shard { get; set; } = "default";

    /// <summary>Most entries in one <c>WriteToLogBatch</c> [1000].</summary>
    [Range(1, 100_000)]
    public int MaxBatchEntries { get; set; } = 1000;

    /// <summary>Most bytes of payloads and headers (names and values, UTF-8) in one <c>WriteToLogBatch</c> [4 MiB].</summary>
    [Range(1, int.MaxValue)]
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Writes accepted but not yet answered, across all namespaces, beyond which new writes are shed with
    /// RESOURCE_EXHAUSTED [20000].
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxInFlightWrites { get; set; } = 20_000;

    /// <summary>How often every instance re-reads the control plane, the bound on how stale a namespace can be [1 s].</summary>
    public TimeSpan NamespaceRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a delivery holds its message before another worker may take it [1 min]; at least 3 × the target timeout.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest an idle consumer waits before it looks for due messages again [1 s].</summary>
    public TimeSpan ConsumerIdlePoll { get; set; } = TimeSpan.FromSeconds(1);
}
