using System.Collections.Frozen;
using WalService.Api.V1;

namespace WalService.Core.Model;

/// <summary>
/// A namespace as the runtime uses it: the stored <see cref="Namespace"/> with every default resolved once,
/// so hot paths read plain values.
/// </summary>
public sealed class NamespaceSettings
{
    private NamespaceSettings(Namespace source, BackendTraits? traits)
    {
        var c = source.Config;
        Source = source;
        Name = c.Name;
        Shard = string.IsNullOrEmpty(c.Shard) ? NamespaceDefaults.Shard : c.Shard;
        Backend = BackendOf(c);
        Target = c.Target ?? new Target { Noop = new NoopTarget() };
        AllowTargetOverride = c.AllowTargetOverride;
        Retry = ResolveRetry(c.Retry);
        MaxDelay = Positive(c.MaxDelay?.ToTimeSpan(), NamespaceDefaults.MaxDelay);
        MaxPayloadBytes = c.MaxPayloadBytes > 0 ? c.MaxPayloadBytes : Math.Min(NamespaceDefaults.MaxPayloadBytes, traits?.MaxPayloadBytes ?? int.MaxValue);
        DedupWindow = Positive(c.DedupWindow?.ToTimeSpan(), NamespaceDefaults.DedupWindow);
        Concurrency = c.Consumer?.Concurrency > 0 ? c.Consumer.Concurrency : NamespaceDefaults.Concurrency;
        BatchSize = c.Consumer?.BatchSize > 0 ? c.Consumer.BatchSize : NamespaceDefaults.BatchSize;
        WritesPerSecond = c.Limits?.WritesPerSecond ?? 0;
        Burst = c.Limits?.Burst ?? 0;
        AllowedClients = c.AllowedClients.ToFrozenSet(StringComparer.Ordinal);
        TrackStatus = !c.HasTrackStatus || c.TrackStatus;
        OrderingKeyRefusal = traits?.OrderingKeyRefusal?.Invoke(c);
        MaxChunks = c.Transactions?.MaxChunks > 0 ? c.Transactions.MaxChunks : NamespaceDefaults.MaxChunks;
        MaxTransactionBytes = c.Transactions?.MaxBytes > 0 ? c.Transactions.MaxBytes : NamespaceDefaults.MaxTransactionBytes;
        TransactionTimeout = Positive(c.Transactions?.Timeout?.ToTimeSpan(), NamespaceDefaults.TransactionTimeout);
    }

    public Namespace Source { get; }

    public string Name { get; }

    public string Shard { get; }

    public BackendKind Backend { get; }

    public Target Target { get; }

    public bool AllowTargetOverride { get; }

    public RetrySettings Retry { get; }

    public TimeSpan MaxDelay { get; }

    /// <summary>The largest payload a write may carry [1 MiB, or the backend's <see cref="BackendTraits.MaxPayloadBytes"/> when smaller].</summary>
    public int MaxPayloadBytes { get; }

    public TimeSpan DedupWindow { get; }

    public int Concurrency { get; }

    public int BatchSize { get; }

    /// <summary>Sustained writes a second; 0 = unlimited.</summary>
    public double WritesPerSecond { get; }

    public int Burst { get; }

    public FrozenSet<string> AllowedClients { get; }

    public bool TrackStatus { get; }

    /// <summary>Why this namespace cannot keep write order for an ordering key (see <see cref="BackendTraits"/>); null when it can.</summary>
    public string? OrderingKeyRefusal { get; }

    /// <summary>Chunks one transaction may have [1000]: a chunk's sequence is below it.</summary>
    public int MaxChunks { get; }

    /// <summary>Payload bytes one transaction may stage in all [64 MiB].</summary>
    public long MaxTransactionBytes { get; }

    /// <summary>How long after its first chunk a transaction may stay incomplete [1 h].</summary>
    public TimeSpan TransactionTimeout { get; }

    public long Version => Source.Version;

    public NamespaceState State => Source.State;

    /// <summary>The namespace with its defaults resolved.</summary>
    /// <param name="source">The stored namespace.</param>
    /// <param name="traits">What its backend cannot do (the default of <c>max_payload_bytes</c> is kept within its payload size); null when it declares nothing.</param>
    public static NamespaceSettings From(Namespace source, BackendTraits? traits = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new NamespaceSettings(source, traits);
    }

    /// <summary>The backend a namespace's config names (embedded when it names none).</summary>
    public static BackendKind BackendOf(NamespaceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.BackendCase switch
        {
            NamespaceConfig.BackendOneofCase.Kafka => BackendKind.Kafka,
            NamespaceConfig.BackendOneofCase.Sqs => BackendKind.Sqs,
            _ => BackendKind.Embedded,
        };
    }

    /// <summary>A namespace's <c>retry</c> with the defaults filled in where a field is unset (zero).</summary>
    public static RetrySettings ResolveRetry(RetryPolicy? p)
    {
        var d = RetrySettings.Default;
        if (p is null)
        {
            return d;
        }

        return new RetrySettings(
            p.MaxAttempts > 0 ? p.MaxAttempts : d.MaxAttempts,
            Positive(p.InitialBackoff?.ToTimeSpan(), d.InitialBackoff),
            Positive(p.MaxBackoff?.ToTimeSpan(), d.MaxBackoff),
            p.BackoffMultiplier > 0 ? p.BackoffMultiplier : d.Multiplier,
            p.Jitter > 0 ? p.Jitter : d.Jitter);
    }

    private static TimeSpan Positive(TimeSpan? value, TimeSpan fallback) =>
        value is { } v && v > TimeSpan.Zero ? v : fallback;
}
