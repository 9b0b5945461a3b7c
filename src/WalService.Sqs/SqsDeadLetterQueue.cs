using System.Globalization;
using Amazon.SQS.Model;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Sqs;

/// <summary>
/// Keeps a namespace's dead-letter queue in step with the archive that listing, redrive and purge work on. A pass
/// runs when the queue has visible messages; it receives up to <see cref="MaxReceives"/> batches, hidden until the
/// pass ends, and:
/// <list type="bullet">
/// <item>deletes a copy the service sent (it carries <c>wal-error</c>) that the archive no longer keeps as it was
/// (redriven, purged, or dead-lettered again since: the archive gets a dead letter before the queue does, so a copy
/// the archive does not match is an old one);</item>
/// <item>archives a message SQS moved there itself (the queue's <c>RedrivePolicy</c>: no <c>wal-error</c>), and
/// replaces it with a copy that carries its error, so it is listed, redriven and purged like the others;</item>
/// <item>leaves the rest (copies still archived, messages not written by this service) as they were.</item>
/// </list>
/// </summary>
internal sealed class SqsDeadLetterQueue(SqsQueues queues, IDeadLetterArchive archive, TimeProvider time)
{
    private const int MaxReceives = 10;
    private const string VisibleCount = "ApproximateNumberOfMessages";
    private static readonly TimeSpan PassVisibility = TimeSpan.FromSeconds(30);

    /// <summary>One pass over the dead-letter queue of <paramref name="ns"/>; answers how many copies it deleted and how many messages it archived.</summary>
    public async Task<(int Deleted, int Archived)> ReconcileAsync(string ns, SqsNamespace sqs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sqs);
        var url = await queues.UrlAsync(sqs.DlqQueue, cancellationToken);
        var visible = await queues.Client.GetQueueAttributesAsync(url, [VisibleCount], cancellationToken);
        if (visible.ApproximateNumberOfMessages == 0)
        {
            return (0, 0);
        }

        var keep = new List<string>();
        var (deleted, archived) = (0, 0);
        try
        {
            for (var i = 0; i < MaxReceives; i++)
            {
                var response = await queues.Client.ReceiveMessageAsync(
                    new ReceiveMessageRequest
                    {
                        QueueUrl = url,
                        MaxNumberOfMessages = SqsMessages.MaxBatch,
                        VisibilityTimeout = (int)PassVisibility.TotalSeconds,
                        // A short poll may answer nothing from a queue that has a few messages; a long one answers
                        // as soon as it has some, and waits only once the pass has seen them all.
                        WaitTimeSeconds = 1,
                        MessageAttributeNames = ["All"],
                    },
                    cancellationToken);
                if (response.Messages is not { Count: > 0 } messages)
                {
                    break;
                }

                var read = messages.Select(m => (Message: m, Envelope: SqsMessages.Read(m))).ToList();
                var ids = read.Where(r => r.Envelope is not null).Select(r => r.Envelope!.MessageId).Distinct(StringComparer.Ordinal).ToList();
                var kept = ids.Count == 0
                    ? []
                    : (await archive.ListAsync(ns, ids.Count, null, ids, cancellationToken)).ToDictionary(d => d.Envelope.MessageId, d => d.DeadLetteredAt, StringComparer.Ordinal);
                var stale = new List<string>();
                foreach (var (message, envelope) in read)
                {
                    var copiedAt = Copy(message);
                    if (envelope is not null && copiedAt is null && await AdoptAsync(ns, url, message, envelope, cancellationToken))
                    {
                        archived++;
                    }
                    else if (envelope is not null && copiedAt is { } at && !(kept.TryGetValue(envelope.MessageId, out var archivedAt) && Same(at, archivedAt)))
                    {
                        stale.Add(message.ReceiptHandle);
                    }
                    else
                    {
                        keep.Add(message.ReceiptHandle);
                    }
                }

                await DeleteAsync(url, stale, cancellationToken);
                deleted += stale.Count;
            }
        }
        finally
        {
            await ReturnAsync(url, keep, cancellationToken);
        }

        return (deleted, archived);
    }

    /// <summary>When the service dead-lettered this copy (its <c>wal-dead-lettered-at</c>), or null when SQS moved it there.</summary>
    private static DateTimeOffset? Copy(Message message)
    {
        if (message.MessageAttributes?.ContainsKey(SqsMessages.Error) != true)
        {
            return null;
        }

        return message.MessageAttributes.TryGetValue(SqsMessages.DeadLetteredAt, out var at) &&
            DateTimeOffset.TryParse(at.StringValue, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
            ? parsed
            : DateTimeOffset.MinValue;
    }

    /// <summary>The archive may keep times to the microsecond only.</summary>
    private static bool Same(DateTimeOffset copiedAt, DateTimeOffset archivedAt) => (copiedAt - archivedAt).Duration() < TimeSpan.FromMilliseconds(1);

    /// <summary>Archives a message SQS moved to the dead-letter queue, then swaps it for a copy that carries its error.</summary>
    private async Task<bool> AdoptAsync(string ns, string url, Message message, Envelope envelope, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var receives = queues.Options.BackstopReceiveCount;
        var error = $"moved to the dead-letter queue by SQS after {receives} receives (the queue's RedrivePolicy), without a verdict from the service";
        await archive.AddAsync([new ArchivedDeadLetter(envelope, receives, error, now)], cancellationToken);
        var sent = await SqsMessages.SendAsync(queues, url, [envelope.Rescheduled(now, envelope.Meta.Attempt)], now, resend: true, cancellationToken, (SqsMessages.Error, error), (SqsMessages.DeadLetteredAt, now.ToString("O")));
        if (sent[0].Durable != Trilean.True)
        {
            return false;
        }

        await DeleteAsync(url, [message.ReceiptHandle], cancellationToken);
        return true;
    }

    private async Task DeleteAsync(string url, List<string> receiptHandles, CancellationToken cancellationToken)
    {
        foreach (var chunk in receiptHandles.Chunk(SqsMessages.MaxBatch))
        {
            await queues.Client.DeleteMessageBatchAsync(SqsMessages.DeleteBatch(url, chunk), cancellationToken);
        }
    }

    /// <summary>Makes the messages the pass leaves visible again; cut short, they come back after the pass's visibility timeout.</summary>
    private async Task ReturnAsync(string url, List<string> receiptHandles, CancellationToken cancellationToken)
    {
        foreach (var chunk in receiptHandles.Chunk(SqsMessages.MaxBatch))
        {
            await queues.Client.ChangeMessageVisibilityBatchAsync(
                new ChangeMessageVisibilityBatchRequest
                {
                    QueueUrl = url,
                    Entries = [.. chunk.Select((h, i) => new ChangeMessageVisibilityBatchRequestEntry { Id = i.ToString(CultureInfo.InvariantCulture), ReceiptHandle = h, VisibilityTimeout = 0 })],
                },
                cancellationToken);
        }
    }
}
