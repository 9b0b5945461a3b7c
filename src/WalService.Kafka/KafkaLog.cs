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
internal sealed partial class KafkaLog : BrokeredLog<KafkaSubscription>, ILogBackend
{
    private readonly KafkaClusters _clusters;
    private readonly NamespaceRegistry _registry;
    private readonly WorkSignals _signals;
    private readonly ILogger _logger;
    private readonly KafkaAppender _appender;
    private readonly ParkedConsumers _parked;

    public KafkaLog(
        KafkaClusters clusters,
        NamespaceRegistry registry,
        IMessageLedgerStore ledger,
        IDeadLetterArchive archive,
        ITransactionStagingStore staging,
        WorkSignals signals,
        KafkaMetrics metrics,
        ParkedConsumers parked,
        TimeProvider time,
        ILogger<KafkaLog> logger)
        : base(BackendKind.Kafka, ledger, archive, staging, time, logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _clusters = clusters;
        _registry = registry;
        _signals = signals;
        _logger = logger;
        _parked = parked;
        _appender = new KafkaAppender(clusters, registry, Ledger.Appends);
        metrics.ObserveLagOf(() => Subscriptions.All.SelectMany(s => (s.Consumer?.Lag() ?? []).Select(l => (s.Namespace, l.Partition, l.Lag))));
    }

    protected override Task<AppendResult[]> AppendAtAsync(IReadOnlyList<AppendRequest> requests, DateTimeOffset now, CancellationToken cancellationToken) =>
        _appender.AppendAsync(requests, now, cancellationToken);

    /// <summary>Stops consuming the namespace here, its parked consumer too, and forgets its dead letters.</summary>
    public override async Task DropNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        await base.DropNamespaceAsync(ns, cancellationToken);
        await _parked.DropAsync(ns);
    }

    /// <summary>Joins the namespace's consumer group (see <see cref="KafkaSubscription"/>).</summary>
    protected override ValueTask<KafkaSubscription> StartAsync(NamespaceSettings settings, CancellationToken cancellationToken)
    {
        var ns = settings.Name;
        return ValueTask.FromResult(new KafkaSubscription(settings, Ledger, _clusters, _appender, _parked, Time, _logger, () => _signals.Notify(ns)));
    }
}
