using Microsoft.Extensions.Logging;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Brokered;
using WalService.Core.Model;

namespace WalService.Kafka;

/// <summary>
/// This instance's consumption of one Kafka namespace, through a <see cref="KafkaNamespaceConsumer"/>. A failed delivery
/// goes to the retry topic with its next due time and attempt, except one with an ordering key, which waits in place so
/// later messages of its key keep their order; a dead letter goes to the dead-letter topic (error in its headers) and
/// to the archive. A consumer whose client failed is replaced at the next lease: its records go back to the group, and
/// the new member reads them again from the committed offsets. A paused namespace keeps its consumer in the group
/// (<see cref="ParkedConsumers"/>), so resuming it delivers without a new group join.
/// </summary>
internal sealed class KafkaSubscription : BrokeredSubscription
{
    private readonly KafkaNamespace _kafka;
    private readonly KafkaClusters _clusters;
    private readonly KafkaAppender _appender;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action _workArrived;
    private readonly ParkedConsumers _parked;
    private readonly ConsumerSlot<KafkaNamespaceConsumer> _consumer;

    public KafkaSubscription(NamespaceSettings settings, BrokeredLedger ledger, KafkaClusters clusters, KafkaAppender appender, ParkedConsumers parked, TimeProvider time, ILogger logger, Action workArrived)
        : base(settings, ledger)
    {
        _parked = parked;
        _kafka = KafkaNamespace.From(settings.Source.Config);
        _clusters = clusters;
        _appender = appender;
        _time = time;
        _logger = logger;
        _workArrived = workArrived;
        _consumer = new ConsumerSlot<KafkaNamespaceConsumer>(Start, c => c.Failed);
        _consumer.Use();
    }

    /// <summary>The consumer now (see <see cref="ConsumerSlot{T}.Current"/>).</summary>
    public KafkaNamespaceConsumer? Consumer => _consumer.Current;

    protected override IReadOnlyList<(LeasedMessage Message, bool Verify)> Lease(int max, DateTimeOffset now, TimeSpan lease) =>
        _consumer.Use() is { } consumer ? consumer.Lease(max, now, lease) : [];

    protected override LeasedMessage Recount(LeasedMessage message, int attempt) =>
        Consumer?.Recount(message, attempt) ?? base.Recount(message, attempt);

    /// <summary>
    /// Records the handed-out messages as IN_FLIGHT with their attempts (in the background, where the namespace keeps
    /// statuses, once a delivery has lasted <see cref="TrackedStatuses.InFlightAfter"/>): a record read again after this
    /// instance died is then delivered as the next attempt.
    /// </summary>
    protected override void Leased(IReadOnlyList<LeasedMessage> messages, DateTimeOffset now) => RecordInFlight(messages, now);

    protected override Task SkipFinishedAsync(IReadOnlyList<LeasedMessage> finished)
    {
        foreach (var message in finished)
        {
            Consumer?.Finish(message);
        }

        KafkaLogEvents.SkippedFinished(_logger, finished.Count, Namespace);
        return Task.CompletedTask;
    }

    protected override DateTimeOffset? NextDue() => _consumer.Use()?.NextDue(_time.GetUtcNow());

    /// <summary>
    /// Waits for room in the ledger's queue first, so a partition's records stay buffered (and the partition paused)
    /// while their statuses cannot be queued: a drain then holds what the buffers hold, not a queue of statuses.
    /// </summary>
    protected override async Task AckLeasedAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt)
    {
        await Ledger.Statuses.RoomAsync(Settings);
        if (Consumer is not { } consumer)
        {
            return;
        }

        var finished = new List<LeasedMessage>(messages.Count);
        foreach (var message in messages.Where(consumer.Holds))
        {
            consumer.Finish(message);
            finished.Add(message);
        }

        RecordApplied(finished, appliedAt);
    }

    protected override async ValueTask RetryLeasedAsync(LeasedMessage message, DateTimeOffset at, string error)
    {
        await Ledger.Statuses.RoomAsync(Settings);
        if (Consumer is not { } consumer || !consumer.Holds(message))
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
            await ProduceOrReturnAsync(consumer, message, _kafka.RetryTopic, retried);
            consumer.Finish(message);
        }

        RecordRetry(message, error, at, _time.GetUtcNow());
    }

    protected override ValueTask ReleaseLeasedAsync(LeasedMessage message)
    {
        if (Consumer is { } consumer && consumer.Holds(message))
        {
            consumer.Return(message);
            RecordReleased(message, _time.GetUtcNow());
        }

        return ValueTask.CompletedTask;
    }

    protected override async ValueTask DeadLetterLeasedAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
    {
        if (Consumer is not { } consumer || !consumer.Holds(message))
        {
            return;
        }

        await ProduceOrReturnAsync(
            consumer,
            message,
            _kafka.DlqTopic,
            message.Envelope,
            (EnvelopeHeaders.Error, error),
            (EnvelopeHeaders.DeadLetteredAt, at.ToString("O")));
        try
        {
            await Ledger.DeadLetters.AddAsync(message, at, error, cancellationToken);
        }
        catch
        {
            consumer.Return(message);
            throw;
        }

        consumer.Finish(message);
        RecordDeadLettered(message, error, at);
    }

    /// <summary>
    /// Leaves the group after committing what is done; the next owner takes the rest. A paused namespace's consumer stays
    /// in the group instead, parked for the subscription that resumes it (<see cref="ParkedConsumers"/>).
    /// </summary>
    protected override async Task StopTransportAsync()
    {
        if (!_parked.Wants(Namespace, _kafka))
        {
            await _consumer.StopAsync(c => c.StopAsync());
            return;
        }

        if (_consumer.Detach() is not { } consumer)
        {
            return;
        }

        if (consumer.Failed)
        {
            consumer.Dispose();
            return;
        }

        _parked.Park(Namespace, _kafka, consumer);
    }

    private KafkaNamespaceConsumer Start()
    {
        if (_parked.Take(Namespace, _kafka) is { } parked)
        {
            return parked;
        }

        var started = new KafkaNamespaceConsumer(Namespace, _kafka, _clusters, _time, _logger, _workArrived);
        started.Start();
        return started;
    }

    /// <summary>Produces a message the consumer holds; when that fails, gives the lease back (so it is delivered again) and throws.</summary>
    private async Task ProduceOrReturnAsync(KafkaNamespaceConsumer consumer, LeasedMessage message, string topic, Envelope envelope, params (string, string)[] headers)
    {
        var result = await _appender.ProduceOneAsync(_kafka, topic, envelope, headers);
        if (result.Durable != Trilean.True)
        {
            consumer.Return(message);
            throw new InvalidOperationException($"writing {envelope.MessageId} to {topic} failed: {result.Error}");
        }
    }
}
