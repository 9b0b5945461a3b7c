using Microsoft.Extensions.Logging;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Brokered;
using WalService.Core.Model;

namespace WalService.Sqs;

/// <summary>
/// This instance's consumption of one SQS namespace, through an <see cref="SqsConsumer"/>. An applied message is
/// deleted; a failed delivery is hidden for its backoff (<see cref="SqsConsumer.RetryLaterAsync"/>), and SQS hands it
/// out again as its next attempt; a dead letter is kept in the archive, then sent to the dead-letter queue (error in
/// its attributes) and deleted.
/// </summary>
internal sealed class SqsSubscription : BrokeredSubscription
{
    private readonly SqsNamespace _sqs;
    private readonly SqsConsumer _consumer;
    private readonly SqsQueues _queues;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private SqsSubscription(NamespaceSettings settings, BrokeredLedger ledger, SqsNamespace sqs, SqsConsumer consumer, SqsQueues queues, TimeProvider time, ILogger logger)
        : base(settings, ledger)
    {
        _sqs = sqs;
        _consumer = consumer;
        _queues = queues;
        _time = time;
        _logger = logger;
    }

    /// <summary>Finds the namespace's queue and starts receiving from it.</summary>
    public static async Task<SqsSubscription> StartAsync(
        NamespaceSettings settings,
        BrokeredLedger ledger,
        SqsQueues queues,
        TimeProvider time,
        ILogger logger,
        Action notify,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(queues);
        var sqs = SqsNamespace.From(settings.Source.Config);
        var url = await queues.UrlAsync(sqs.Queue, cancellationToken);
        var consumer = new SqsConsumer(settings.Name, sqs, url, SqsConsumer.ReceiversFor(settings.Concurrency), queues, time, logger, notify);
        consumer.Start();
        return new SqsSubscription(settings, ledger, sqs, consumer, queues, time, logger);
    }

    protected override IReadOnlyList<(LeasedMessage Message, bool Verify)> Lease(int max, DateTimeOffset now, TimeSpan lease) =>
        [.. _consumer.Lease(max, now).Select(h => (h.Message, h.Verify))];

    protected override async Task SkipFinishedAsync(IReadOnlyList<LeasedMessage> finished)
    {
        var taken = finished.Select(_consumer.Take).OfType<SqsBuffer.Held>().ToList();
        await _consumer.DeleteAsync([.. taken.Select(h => h.ReceiptHandle)]);
        SqsLogEvents.SkippedFinished(_logger, finished.Count, Namespace);
    }

    protected override DateTimeOffset? NextDue() => _consumer.NextDue();

    protected override async Task AckLeasedAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt)
    {
        var taken = messages.Select(m => (Message: m, Held: _consumer.Take(m))).Where(t => t.Held is not null).ToList();
        await _consumer.DeleteAsync([.. taken.Select(t => t.Held!.ReceiptHandle)]);
        RecordApplied(taken.Select(t => t.Message), appliedAt);
    }

    protected override async ValueTask RetryLeasedAsync(LeasedMessage message, DateTimeOffset at, string error)
    {
        if (await _consumer.RetryLaterAsync(message, at - _time.GetUtcNow()) is { } next)
        {
            RecordRetry(message, error, next, _time.GetUtcNow());
        }
    }

    protected override async ValueTask ReleaseLeasedAsync(LeasedMessage message) => await _consumer.ReleaseAsync(message);

    protected override async ValueTask DeadLetterLeasedAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
    {
        if (_consumer.Take(message) is not { } held)
        {
            return;
        }

        // The archive first: a dead-letter queue copy the archive does not match is taken for an old one (see SqsDeadLetterQueue).
        try
        {
            await Ledger.DeadLetters.AddAsync(message, at, error, cancellationToken);
        }
        catch
        {
            await _consumer.GiveBackAsync(held);
            throw;
        }

        try
        {
            await SendOrGiveBackAsync(held, _sqs.DlqQueue, message.Envelope, (SqsMessages.Error, error), (SqsMessages.DeadLetteredAt, at.ToString("O")));
        }
        catch
        {
            await Ledger.DeadLetters.PurgeAsync(Namespace, [message.Envelope.MessageId], CancellationToken.None);
            throw;
        }

        await _consumer.DeleteAsync([held.ReceiptHandle]);
        RecordDeadLettered(message, error, at);
    }

    /// <summary>Stops receiving and makes every buffered message visible again, for whoever consumes the queue next.</summary>
    protected override async Task StopTransportAsync()
    {
        await _consumer.StopAsync();
        _consumer.Dispose();
    }

    /// <summary>Sends an envelope for a message taken from the consumer; when that fails, gives the message back (so it is delivered again) and throws.</summary>
    private async Task SendOrGiveBackAsync(SqsBuffer.Held held, string queue, Envelope envelope, params (string, string)[] attributes)
    {
        var url = await _queues.UrlAsync(queue, CancellationToken.None);
        var result = (await SqsMessages.SendAsync(_queues, url, [envelope], _time.GetUtcNow(), resend: true, CancellationToken.None, attributes))[0];
        if (result.Durable != Trilean.True)
        {
            await _consumer.GiveBackAsync(held);
            throw new InvalidOperationException($"sending {envelope.MessageId} to {queue} failed: {result.Error}");
        }
    }
}
