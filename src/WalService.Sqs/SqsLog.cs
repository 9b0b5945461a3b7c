using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;

namespace WalService.Sqs;

/// <summary>
/// The SQS log backend (standard and FIFO queues). A write is sent with <c>SendMessageBatch</c>: <c>durable</c> is TRUE when
/// SQS took it, FALSE when it refused it, UNKNOWN when it may have taken it. Each namespace this instance consumes has
/// an <see cref="SqsConsumer"/>. An applied message is deleted; a failed delivery is hidden for its backoff
/// (<c>ChangeMessageVisibility</c>), and its attempts are counted from SQS's <c>ApproximateReceiveCount</c>; a dead
/// letter is sent to the dead-letter queue (error in its attributes) and kept in the <see cref="IDeadLetterArchive"/>,
/// where it can be listed, redriven and purged. On a FIFO queue the ordering key is the message group, so messages with
/// one key are delivered in order; a standard queue keeps no order. Statuses and idempotency keys live in the
/// <see cref="IMessageLedgerStore"/>.
/// </summary>
internal sealed partial class SqsLog : ILogBackend, IAsyncDisposable
{
    private readonly SqsQueues _queues;
    private readonly NamespaceRegistry _registry;
    private readonly IMessageLedgerStore _ledger;
    private readonly IDeadLetterArchive _archive;
    private readonly ArchivedDeadLetters _deadLetters;
    private readonly SqsDeadLetterQueue _deadLetterQueue;
    private readonly WorkSignals _signals;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TrackedStatuses _statuses;
    private readonly SqsAppender _appender;
    private readonly NamespaceConsumers<SqsConsumer> _consumers = new();

    public SqsLog(SqsQueues queues, NamespaceRegistry registry, IMessageLedgerStore ledger, IDeadLetterArchive archive, WorkSignals signals, TimeProvider time, ILogger<SqsLog> logger)
    {
        _queues = queues;
        _registry = registry;
        _ledger = ledger;
        _archive = archive;
        _signals = signals;
        _time = time;
        _logger = logger;
        _statuses = new TrackedStatuses(registry, ledger, time, logger);
        _appender = new SqsAppender(queues, registry, new LedgerAppends(ledger, _statuses.Defer), time);
        _deadLetters = new ArchivedDeadLetters(archive, ledger);
        _deadLetterQueue = new SqsDeadLetterQueue(queues, archive, time);
    }

    public BackendKind Kind => BackendKind.Sqs;

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

        var leased = consumer.Lease(max, now);
        var toVerify = leased.Where(h => h.Verify).Select(h => h.Message.Envelope.MessageId).ToList();
        var finished = await _statuses.FinishedAsync(ns, toVerify, cancellationToken);
        var skipped = leased.Where(h => h.Verify && finished.Contains(h.Message.Envelope.MessageId)).ToList();
        if (skipped.Count > 0)
        {
            skipped.ForEach(h => consumer.Take(h.Message));
            await consumer.DeleteAsync([.. skipped.Select(h => h.ReceiptHandle)]);
            SqsLogEvents.SkippedFinished(_logger, skipped.Count, ns);
        }

        return [.. leased.Except(skipped).Select(h => h.Message)];
    }

    public async Task<DateTimeOffset?> NextDueAsync(string ns, CancellationToken cancellationToken) =>
        await ConsumerAsync(ns, cancellationToken) is { } consumer ? consumer.NextDue() : null;

    public async Task AckAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var group in messages.GroupBy(m => m.Envelope.Meta.Namespace))
        {
            if (!_consumers.TryGet(group.Key, out var consumer))
            {
                continue;
            }

            var taken = group.Select(m => (Message: m, Held: consumer.Take(m))).Where(t => t.Held is not null).ToList();
            await consumer.DeleteAsync([.. taken.Select(t => t.Held!.ReceiptHandle)]);
            await _statuses.RecordAsync(group.Key, taken.Select(t => new LedgerUpdate(group.Key, t.Message.Envelope.MessageId, MessageState.Applied, t.Message.Attempt, null, null, appliedAt, appliedAt)), cancellationToken);
        }
    }

    /// <summary>Hides the message for its backoff (see <see cref="SqsConsumer.RetryLaterAsync"/>): SQS hands it out again as the next attempt.</summary>
    public async ValueTask RetryAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var ns = message.Envelope.Meta.Namespace;
        if (!_consumers.TryGet(ns, out var consumer) || await consumer.RetryLaterAsync(message, at - _time.GetUtcNow()) is not { } next)
        {
            return;
        }

        await _statuses.RecordAsync(ns, [new LedgerUpdate(ns, message.Envelope.MessageId, MessageState.RetryScheduled, message.Attempt, error, next, null, _time.GetUtcNow())], cancellationToken);
    }

    public async ValueTask ReleaseAsync(LeasedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_consumers.TryGet(message.Envelope.Meta.Namespace, out var consumer))
        {
            await consumer.ReleaseAsync(message);
        }
    }

    public ValueTask StopConsumingAsync(string ns) => _consumers.StopAsync(ns);

    public async ValueTask DisposeAsync()
    {
        await _consumers.DisposeAsync();
        await _statuses.DisposeAsync();
    }

    /// <summary>Sends an envelope for a message taken from the consumer; when that fails, gives the message back (so it is delivered again) and throws.</summary>
    private async Task SendOrGiveBackAsync(SqsConsumer consumer, SqsBuffer.Held held, string queue, Envelope envelope, params (string, string)[] attributes)
    {
        var url = await _queues.UrlAsync(queue, CancellationToken.None);
        var result = (await SqsMessages.SendAsync(_queues, url, [envelope], _time.GetUtcNow(), resend: true, CancellationToken.None, attributes))[0];
        if (result.Durable != Trilean.True)
        {
            await consumer.GiveBackAsync(held);
            throw new InvalidOperationException($"sending {envelope.MessageId} to {queue} failed: {result.Error}");
        }
    }

    private Task<SqsConsumer?> ConsumerAsync(string ns, CancellationToken cancellationToken) =>
        _consumers.GetOrStartAsync(
            ns,
            async ct =>
            {
                if (await _registry.GetAsync(ns, ct) is not { Backend: BackendKind.Sqs } settings)
                {
                    return null;
                }

                var sqs = SqsNamespace.From(settings.Source.Config);
                var url = await _queues.UrlAsync(sqs.Queue, ct);
                var started = new SqsConsumer(ns, sqs, url, SqsConsumer.ReceiversFor(settings.Concurrency), _queues, _time, _logger, () => _signals.Notify(ns));
                started.Start();
                return started;
            },
            cancellationToken);

    private async ValueTask<SqsNamespace?> SqsOfAsync(string ns, CancellationToken cancellationToken) =>
        await _registry.GetAsync(ns, cancellationToken) is { Backend: BackendKind.Sqs } settings ? SqsNamespace.From(settings.Source.Config) : null;
}
