using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Brokered;

namespace WalService.Sqs;

/// <summary>Dead letters: kept in the archive and the dead-letter queue (see <see cref="SqsSubscription"/>); listing, redrive and purge use the archive.</summary>
internal sealed partial class SqsLog
{
    private static readonly TimeSpan ReconcileLimit = TimeSpan.FromSeconds(5);

    /// <summary>Lists the archive; a first page brings the dead-letter queue in step with it first (see <see cref="SqsDeadLetterQueue"/>).</summary>
    public override async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string ns, int pageSize, string? afterId, CancellationToken cancellationToken)
    {
        if (afterId is null)
        {
            await ReconcileDeadLetterQueueAsync(ns, cancellationToken);
        }

        return await base.ListDeadLettersAsync(ns, pageSize, afterId, cancellationToken);
    }

    /// <summary>Sends dead letters back to the namespace's queue (see <see cref="ArchivedDeadLetters.RedriveAsync"/>).</summary>
    public async Task<long> RedriveAsync(string ns, IReadOnlyCollection<string> messageIds, int maxPerSecond, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = await _registry.GetAsync(ns, cancellationToken) ?? throw new ControlPlaneException(ControlPlaneError.NotFound, $"namespace '{ns}' is not registered");
        var sqs = SqsNamespace.From(settings.Source.Config);
        var url = await _queues.UrlAsync(sqs.Queue, cancellationToken);
        var redriven = await Ledger.DeadLetters.RedriveAsync(
            settings,
            messageIds,
            maxPerSecond,
            now,
            sqs.Queue,
            async envelopes => await SqsMessages.SendAsync(_queues, url, envelopes, now, resend: true, CancellationToken.None),
            cancellationToken);
        await ReconcileDeadLetterQueueAsync(ns, cancellationToken);
        return redriven;
    }

    /// <summary>Forgets dead letters, then deletes their copies from the dead-letter queue.</summary>
    public override async Task<long> PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        var purged = await base.PurgeAsync(ns, messageIds, cancellationToken);
        await ReconcileDeadLetterQueueAsync(ns, cancellationToken);
        return purged;
    }

    /// <summary>
    /// One pass of <see cref="SqsDeadLetterQueue"/>, cut off after <see cref="ReconcileLimit"/>; a failure is logged, since
    /// the archive answers either way (an SRE listing dead letters during an SQS outage gets them at once).
    /// </summary>
    private async Task ReconcileDeadLetterQueueAsync(string ns, CancellationToken cancellationToken)
    {
        if (await SqsOfAsync(ns, cancellationToken) is not { } sqs)
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ReconcileLimit);
        try
        {
            var (deleted, archived) = await _deadLetterQueue.ReconcileAsync(ns, sqs, limit.Token);
            if (deleted + archived > 0)
            {
                SqsLogEvents.DeadLetterQueueReconciled(_logger, sqs.DlqQueue, deleted, archived);
            }
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException ||
                                   (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            SqsLogEvents.ReconcileFailed(_logger, ex, sqs.DlqQueue);
        }
    }
}
