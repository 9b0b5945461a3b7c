using Amazon.Runtime;
using Amazon.SQS.Model;
using WalService.Api.V1;
using WalService.Core.Model;

namespace WalService.Sqs;

/// <summary>Visibility, sending again and deleting: what a consumer asks of SQS about messages it received.</summary>
internal sealed partial class SqsConsumer
{
    private static readonly TimeSpan MinTick = TimeSpan.FromMilliseconds(200);

    /// <summary>Deletes finished messages, in batches of 10 sent side by side; a failure is logged (SQS hands them out again).</summary>
    public Task DeleteAsync(IReadOnlyList<string> receiptHandles) =>
        Task.WhenAll(receiptHandles.Chunk(SqsMessages.MaxBatch).Select(DeleteBatchAsync));

    private async Task DeleteBatchAsync(string[] receiptHandles)
    {
        try
        {
            await queues.Client.DeleteMessageBatchAsync(SqsMessages.DeleteBatch(queueUrl, receiptHandles), CancellationToken.None);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            SqsLogEvents.CallFailed(logger, ex, "delete", receiptHandles.Length, sqs.Queue);
        }
    }

    /// <summary>
    /// Puts off a message received before it is due. A standard queue gets it again as a new message with the rest of
    /// its delay (at most <see cref="SqsOptions.MaxSendDelay"/>), and the one received is deleted; should that send
    /// fail, the message is hidden for that long instead. A FIFO queue keeps it hidden until it is due (at most 12 h).
    /// </summary>
    private async Task PutOffAsync(Message message, Envelope envelope, DateTimeOffset now)
    {
        if (!sqs.Fifo)
        {
            var sent = await SqsMessages.SendAsync(queues, queueUrl, [envelope], now, resend: true, CancellationToken.None);
            if (sent[0].Durable == Trilean.True)
            {
                await DeleteAsync([message.ReceiptHandle]);
                return;
            }
        }

        var left = envelope.DeliverAt - now;
        await HideAsync(message.ReceiptHandle, sqs.Fifo || left < queues.Options.MaxSendDelay ? left : queues.Options.MaxSendDelay, "hide_until_due");
    }

    /// <summary>Makes messages visible again one by one, latest first.</summary>
    private async Task ReturnAsync(List<SqsBuffer.Held> held)
    {
        for (var i = held.Count - 1; i >= 0; i--)
        {
            await HideAsync(held[i].ReceiptHandle, TimeSpan.Zero, "return");
        }
    }

    /// <summary>
    /// While a message is held here (waiting or being delivered), extends its visibility timeout whenever less than
    /// half of it is left, so a slow delivery is not handed to another consumer meanwhile.
    /// </summary>
    private async Task KeepHiddenAsync()
    {
        // Checked four times per timeout, extended once less than half is left: a quarter of it to spare.
        var tick = sqs.VisibilityTimeout / 4 > MinTick ? sqs.VisibilityTimeout / 4 : MinTick;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(tick, time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = time.GetUtcNow();
            foreach (var held in _buffer.HiddenForLessThan(sqs.VisibilityTimeout / 2, now))
            {
                held.HiddenUntil = now + sqs.VisibilityTimeout;
                await HideAsync(held.ReceiptHandle, sqs.VisibilityTimeout, "extend");
            }
        }
    }

    /// <summary>
    /// Changes the message's visibility timeout to <paramref name="duration"/> in whole seconds, at most 12 h, counted by
    /// <paramref name="reason"/>; answers the timeout set. A failure is logged: the message keeps the timeout it had.
    /// </summary>
    private async Task<TimeSpan> HideAsync(string receiptHandle, TimeSpan duration, string reason)
    {
        var seconds = (int)Math.Ceiling(Math.Clamp(duration.TotalSeconds, 0, SqsMessages.MaxVisibility.TotalSeconds));
        queues.Metrics.VisibilityChanged(ns, reason);
        try
        {
            await queues.Client.ChangeMessageVisibilityAsync(
                new ChangeMessageVisibilityRequest { QueueUrl = queueUrl, ReceiptHandle = receiptHandle, VisibilityTimeout = seconds },
                CancellationToken.None);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            SqsLogEvents.CallFailed(logger, ex, "change the visibility of", 1, sqs.Queue);
        }

        return TimeSpan.FromSeconds(seconds);
    }
}
