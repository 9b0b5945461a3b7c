using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;
using WalService.Core.Brokered;
using WalService.Core.Model;
using WalService.Core.Runtime;

namespace WalService.Sqs;

/// <summary>
/// The SQS log backend (standard and FIFO queues). A write is sent with <c>SendMessageBatch</c>: <c>durable</c> is TRUE when
/// SQS took it, FALSE when it refused it, UNKNOWN when it may have taken it. Each namespace this instance consumes has
/// an <see cref="SqsSubscription"/>; attempts are counted from SQS's <c>ApproximateReceiveCount</c>. On a FIFO queue the
/// ordering key is the message group, so messages with one key are delivered in order; a standard queue keeps no order.
/// Statuses, idempotency keys and the dead-letter archive, where dead letters are listed, redriven and purged, are the
/// <see cref="BrokeredLedger"/>'s.
/// </summary>
internal sealed partial class SqsLog : BrokeredLog<SqsSubscription>, ILogBackend
{
    private readonly SqsQueues _queues;
    private readonly NamespaceRegistry _registry;
    private readonly SqsDeadLetterQueue _deadLetterQueue;
    private readonly WorkSignals _signals;
    private readonly ILogger _logger;
    private readonly SqsAppender _appender;

    public SqsLog(SqsQueues queues, NamespaceRegistry registry, IMessageLedgerStore ledger, IDeadLetterArchive archive, ITransactionStagingStore staging, WorkSignals signals, TimeProvider time, ILogger<SqsLog> logger)
        : base(BackendKind.Sqs, ledger, archive, staging, time, logger)
    {
        _queues = queues;
        _registry = registry;
        _signals = signals;
        _logger = logger;
        _appender = new SqsAppender(queues, registry, Ledger.Appends, time);
        _deadLetterQueue = new SqsDeadLetterQueue(queues, archive, time);
    }

    protected override Task<AppendResult[]> AppendAtAsync(IReadOnlyList<AppendRequest> requests, DateTimeOffset now, CancellationToken cancellationToken) =>
        _appender.AppendAsync(requests, now, cancellationToken);

    /// <summary>Starts receiving from the namespace's queue (see <see cref="SqsSubscription"/>); throws while the queue cannot be found.</summary>
    protected override async ValueTask<SqsSubscription> StartAsync(NamespaceSettings settings, CancellationToken cancellationToken)
    {
        var ns = settings.Name;
        return await SqsSubscription.StartAsync(settings, Ledger, _queues, Time, _logger, () => _signals.Notify(ns), cancellationToken);
    }

    /// <summary>The namespace's queues, for the administrative calls that name it.</summary>
    private async ValueTask<SqsNamespace?> SqsOfAsync(string ns, CancellationToken cancellationToken) =>
        await _registry.GetAsync(ns, cancellationToken) is { Backend: BackendKind.Sqs } settings ? SqsNamespace.From(settings.Source.Config) : null;
}
