using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using WalService.Core.Model.Storage;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;

namespace WalService.Kafka;

/// <summary>
/// The Kafka log backend. Writes go through the cluster's shared producer: <c>durable</c> is TRUE on a delivery
/// report that says persisted, FALSE when the record certainly was not, UNKNOWN when it may have been (a timeout).
/// Each namespace this instance consumes has a <see cref="NamespaceConsumer"/>. A failed delivery goes to the retry
/// topic with its next due time and attempt, except one with an ordering key, which waits in place so later messages
/// of its key keep their order; a dead letter goes to the dead-letter topic (error in its headers) and to the
/// <see cref="IDeadLetterArchive"/>, where it can be listed, redriven and purged. Statuses and idempotency keys live
/// in the <see cref="IMessageLedgerStore"/>.
/// </summary>
internal sealed partial class KafkaLog : ILogBackend, IAsyncDisposable
{
    private readonly KafkaClusters _clusters;
    private readonly NamespaceRegistry _registry;
    private readonly IMessageLedgerStore _ledger;
    private readonly IDeadLetterArchive _archive;
    private readonly ArchivedDeadLetters _deadLetters;
    private readonly WorkSignals _signals;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TrackedStatuses _statuses;
    private readonly KafkaAppender _appender;
    private readonly NamespaceConsumers<NamespaceConsumer> _consumers = new();

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
        _ledger = ledger;
        _archive = archive;
        _signals = signals;
        _time = time;
        _logger = logger;
        _statuses = new TrackedStatuses(registry, ledger, time, logger);
        _appender = new KafkaAppender(clusters, registry, new LedgerAppends(ledger, _statuses.Defer));
        _deadLetters = new ArchivedDeadLetters(archive, ledger);
        metrics.ObserveLagOf(() => _consumers.All.SelectMany(c => c.Value.Lag().Select(l => (c.Key, l.Partition, l.Lag))));
    }

    public BackendKind Kind => BackendKind.Kafka;

    public Task<AppendResult[]> AppendAsync(IReadOnlyList<AppendRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return _appender.AppendAsync(requests, _time.GetUtcNow(), cancellationToken);
    }

    public async Task<IReadOnlyList<LeasedMessage>> LeaseDueAsync(string ns, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (await ConsumerAsync(ns, cancellationToken) is not { } consumer)
        {
            return [];
        }

        var leased = consumer.Lease(max, now, lease);
        var toVerify = leased.Where(l => l.Verify).Select(l => l.Message.Envelope.MessageId).ToList();
        var finished = await _statuses.FinishedAsync(ns, toVerify, cancellationToken);
        var skipped = leased.Where(l => l.Verify && finished.Contains(l.Message.Envelope.MessageId)).Select(l => l.Message).ToList();
        skipped.ForEach(consumer.Finish);
        if (skipped.Count > 0)
        {
            KafkaLogEvents.SkippedFinished(_logger, skipped.Count, ns);
        }

        return [.. leased.Select(l => l.Message).Except(skipped)];
    }

    public async Task<DateTimeOffset?> NextDueAsync(string ns, CancellationToken cancellationToken) =>
        await ConsumerAsync(ns, cancellationToken) is { } consumer ? consumer.NextDue(_time.GetUtcNow()) : null;

    public async Task AckAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            var ns = message.Envelope.Meta.Namespace;
            if (!_consumers.TryGet(ns, out var consumer) || !consumer.Holds(message))
            {
                continue;
            }

            consumer.Finish(message);
            await _statuses.RecordAsync(ns, [new LedgerUpdate(ns, message.Envelope.MessageId, MessageState.Applied, message.Attempt, null, null, appliedAt, appliedAt)], cancellationToken);
        }
    }

    public async ValueTask RetryAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var ns = message.Envelope.Meta.Namespace;
        if (!_consumers.TryGet(ns, out var consumer) || !consumer.Holds(message) || await KafkaOfAsync(ns, cancellationToken) is not { } kafka)
        {
            return;
        }

        var retried = message.Envelope.Rescheduled(at, message.Attempt + 1);
        if (retried.Meta.OrderingKey.Length > 0)
        {
            consumer.Return(message, retried);
        }
        else
        {
            await ProduceOrReturnAsync(consumer, message, kafka, kafka.RetryTopic, retried);
            consumer.Finish(message);
        }

        await _statuses.RecordAsync(ns, [new LedgerUpdate(ns, retried.MessageId, MessageState.RetryScheduled, message.Attempt, error, at, null, _time.GetUtcNow())], cancellationToken);
    }

    public ValueTask ReleaseAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_consumers.TryGet(message.Envelope.Meta.Namespace, out var consumer))
        {
            consumer.Return(message);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask StopConsumingAsync(string ns) => _consumers.StopAsync(ns);

    public async ValueTask DisposeAsync()
    {
        await _consumers.DisposeAsync();
        await _statuses.DisposeAsync();
    }

    /// <summary>Produces a message the consumer holds; when that fails, gives the lease back (so it is delivered again) and throws.</summary>
    private async Task ProduceOrReturnAsync(NamespaceConsumer consumer, LeasedMessage message, KafkaNamespace kafka, string topic, Envelope envelope, params (string, string)[] headers)
    {
        var result = await _appender.ProduceOneAsync(kafka, topic, envelope, headers);
        if (result.Durable != Trilean.True)
        {
            consumer.Return(message);
            throw new InvalidOperationException($"writing {envelope.MessageId} to {topic} failed: {result.Error}");
        }
    }

    private Task<NamespaceConsumer?> ConsumerAsync(string ns, CancellationToken cancellationToken)
    {
        if (_consumers.TryGet(ns, out var consumer) && consumer.Failed)
        {
            // Its records go back to the group: a new member reads them again from the committed offsets.
            _consumers.Discard(ns, consumer);
        }

        return _consumers.GetOrStartAsync(
            ns,
            async ct =>
            {
                if (await KafkaOfAsync(ns, ct) is not { } kafka)
                {
                    return null;
                }

                var started = new NamespaceConsumer(ns, kafka, _clusters, _time, _logger, () => _signals.Notify(ns));
                started.Start();
                return started;
            },
            cancellationToken);
    }

    private async ValueTask<KafkaNamespace?> KafkaOfAsync(string ns, CancellationToken cancellationToken) =>
        await _registry.GetAsync(ns, cancellationToken) is { Backend: BackendKind.Kafka } settings ? KafkaNamespace.From(settings.Source.Config) : null;
}
