using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;
using WalService.Core.Brokered;
using WalService.Core.Model;
using WalService.Core.Runtime;

namespace WalService.Kafka;

/// <summary>
/// The Kafka log backend. Writes go through the cluster's shared producer: <c>durable</c> is TRUE on a delivery
/// report that says persisted, FALSE when the record certainly was not, UNKNOWN when it may have been (a timeout).
/// Each namespace this instance consumes has a <see cref="KafkaSubscription"/>. Statuses, idempotency keys and the
/// dead-letter archive, where dead letters are listed, redriven and purged, are the <see cref="BrokeredLedger"/>'s.
/// </summary>
internal sealed partial class KafkaLog : ILogBackend, IAsyncDisposable
{
    private readonly KafkaClusters _clusters;
    private readonly NamespaceRegistry _registry;
    private readonly BrokeredLedger _ledger;
    private readonly WorkSignals _signals;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KafkaAppender _appender;
    private readonly SubscriptionSet<KafkaSubscription> _subscriptions = new();

    public KafkaLog(
        KafkaClusters clusters,
        NamespaceRegistry registry,
        IMessageLedgerStore ledger,
        IDeadLetterArchive archive,
        WorkSignals signals,
        KafkaMetrics metrics,
        TimeProvider time,
        ILogger<KafkaLog> logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _clusters = clusters;
        _registry = registry;
        _signals = signals;
        _time = time;
        _logger = logger;
        _ledger = new BrokeredLedger(ledger, archive, time, logger);
        _appender = new KafkaAppender(clusters, registry, _ledger.Appends);
        metrics.ObserveLagOf(() => _subscriptions.All.SelectMany(s => (s.Consumer?.Lag() ?? []).Select(l => (s.Namespace, l.Partition, l.Lag))));
    }

    public BackendKind Kind => BackendKind.Kafka;

    public Task<AppendResult[]> AppendAsync(IReadOnlyList<AppendRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return _appender.AppendAsync(requests, _time.GetUtcNow(), cancellationToken);
    }

    /// <summary>Joins the namespace's consumer group (see <see cref="KafkaSubscription"/>).</summary>
    public async ValueTask<ILogSubscription> SubscribeAsync(NamespaceSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Backend != BackendKind.Kafka)
        {
            throw new ArgumentException($"namespace '{settings.Name}' is not a Kafka namespace", nameof(settings));
        }

        var ns = settings.Name;
        return await _subscriptions.AddAsync(new KafkaSubscription(settings, _ledger, _clusters, _appender, _time, _logger, () => _signals.Notify(ns)));
    }

    public async ValueTask DisposeAsync()
    {
        await _subscriptions.DisposeAsync();
        await _ledger.DisposeAsync();
    }
}
