using Amazon.Runtime;
using Amazon.SQS.Model;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Sqs;

/// <summary>
/// Consumes one namespace's queue: <paramref name="receivers"/> loops long-poll <c>ReceiveMessage</c> side by side
/// into one small <see cref="SqsBuffer"/>, each while fewer than a poll's worth of messages per receiver wait there,
/// and the runtime leases from the buffer. A received message due within a few seconds waits in the buffer. One due
/// later is, on a standard queue, sent again with the rest of its delay (as a new message, so its receive count
/// starts anew) and deleted; on a FIFO queue, hidden until due (<c>ChangeMessageVisibility</c>, at most 12 h), which
/// holds back the rest of its group. A received message stays invisible to other consumers for the namespace's
/// visibility timeout, extended while it is still held here (a slow delivery); one whose consumer died is handed out
/// again after it, at least once. Receives and visibility changes are counted in <see cref="SqsMetrics"/>.
/// </summary>
internal sealed partial class SqsConsumer(string ns, SqsNamespace sqs, string queueUrl, int receivers, SqsQueues queues, TimeProvider time, ILogger logger, Action notify) : IDisposable
{
    /// <summary>The most receivers of one namespace: enough to keep a few delivery loops fed without many idle long-polls.</summary>
    public const int MaxReceivers = 4;

    private static readonly TimeSpan HoldLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FullWait = TimeSpan.FromMilliseconds(100);
    private static long _lastToken;
    private readonly SqsBuffer _buffer = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _hold = Min(HoldLimit, sqs.VisibilityTimeout / 2, sqs.Fifo ? HoldLimit : queues.Options.MaxSendDelay);
    private Task _running = Task.CompletedTask;

    public string QueueUrl => queueUrl;

    /// <summary>How many receivers a namespace with <paramref name="concurrency"/> delivery loops runs: one per loop, at most <see cref="MaxReceivers"/>.</summary>
    public static int ReceiversFor(int concurrency) => Math.Clamp(concurrency, 1, MaxReceivers);

    public void Start() =>
        _running = Task.WhenAll(Enumerable.Range(0, receivers).Select(_ => Task.Run(PollAsync)).Append(Task.Run(KeepHiddenAsync)));

    /// <summary>Up to <paramref name="max"/> buffered messages due at <paramref name="now"/> (see <see cref="SqsBuffer.Lease"/>).</summary>
    public List<SqsBuffer.Held> Lease(int max, DateTimeOffset now) => _buffer.Lease(max, now);

    public DateTimeOffset? NextDue() => _buffer.NextDue();

    /// <summary>Ends the lease (the message is finished, or is being dead-lettered); null when it is not leased here.</summary>
    public SqsBuffer.Held? Take(LeasedMessage message)
    {
        var held = _buffer.Take(message);
        if (held?.Group is not null)
        {
            notify();
        }

        return held;
    }

    /// <summary>
    /// Retries a message whose delivery failed after <paramref name="backoff"/>; answers when, or null when the message
    /// is not leased here. A backoff this consumer would hold a received message for (a few seconds), and any retry of
    /// a message of a group, waits here, still hidden from others, and is leased again to the millisecond: SQS counts
    /// visibility in whole seconds. A group's message waits at the head of its group, so the messages of its group
    /// received with it stay behind it without being received again. A longer backoff hides the message for that long
    /// (at most 12 h), and SQS hands it out again then, as its next attempt.
    /// </summary>
    public async Task<DateTimeOffset?> RetryLaterAsync(LeasedMessage message, TimeSpan backoff)
    {
        if (_buffer.Take(message) is not { } held)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (held.Group is not null || backoff <= _hold)
        {
            var retry = new LeasedMessage(message.Envelope.Rescheduled(now + backoff, message.Attempt + 1), message.Attempt + 1, Interlocked.Increment(ref _lastToken));
            _buffer.AddFirst(held with { Message = retry, Verify = false });
            notify();
            return now + backoff;
        }

        return now + await HideAsync(held.ReceiptHandle, backoff, "retry");
    }

    /// <summary>Gives a leased message back undelivered; answers whether it was leased here.</summary>
    public async Task<bool> ReleaseAsync(LeasedMessage message)
    {
        if (_buffer.Take(message) is not { } held)
        {
            return false;
        }

        await GiveBackAsync(held);
        return true;
    }

    /// <summary>
    /// Makes a message taken from the buffer visible again, after the waiting messages of its group (given back
    /// first, latest first, so a queue that puts each given-back message at the front of its group keeps their order).
    /// </summary>
    public Task GiveBackAsync(SqsBuffer.Held held)
    {
        ArgumentNullException.ThrowIfNull(held);
        return ReturnAsync([held, .. _buffer.RemoveGroup(held.Group)]);
    }

    /// <summary>
    /// Stops polling once the receives under way have answered (within one poll interval) and makes every buffered
    /// message visible again, for whoever consumes the queue next.
    /// </summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
        await ReturnAsync(_buffer.RemoveWaiting());
    }

    public void Dispose() => _stop.Dispose();

    private async Task PollAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                // Full when a poll's worth per receiver is ready, or ten times that waits (most held back by their group).
                var full = sqs.MaxMessagesPerPoll * receivers;
                if (_buffer.ReadyBy(time.GetUtcNow() + _hold) >= full || _buffer.Waiting >= 10 * full)
                {
                    await Task.Delay(FullWait, time, _stop.Token);
                    continue;
                }

                var asked = time.GetUtcNow();
                var response = await queues.Client.ReceiveMessageAsync(
                    new ReceiveMessageRequest
                    {
                        QueueUrl = queueUrl,
                        MaxNumberOfMessages = sqs.MaxMessagesPerPoll,
                        WaitTimeSeconds = (int)Math.Ceiling(sqs.PollWait.TotalSeconds),
                        VisibilityTimeout = (int)Math.Ceiling(sqs.VisibilityTimeout.TotalSeconds),
                        MessageAttributeNames = ["All"],
                        MessageSystemAttributeNames = [SqsMessages.ReceiveCount, SqsMessages.FirstReceived],
                    },
                    // Not cancelled on stop: SQS may already have handed messages to this long poll, and a dropped
                    // answer would leave them hidden for the visibility timeout. It ends within one poll interval.
                    CancellationToken.None);
                queues.Metrics.Received(ns, response.Messages?.Count ?? 0);
                await AcceptAsync(response.Messages ?? [], asked);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // SQS's own answer (a deleted queue, a denied call) says all there is; a stack trace would repeat each second.
                if (ex is AmazonServiceException refused)
                {
                    SqsLogEvents.ReceiveRefused(logger, sqs.Queue, ns, refused.ErrorCode, refused.Message);
                }
                else
                {
                    SqsLogEvents.ReceiveFailed(logger, ex, sqs.Queue, ns);
                }

                await Task.Delay(TimeSpan.FromSeconds(1), time, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Buffers what a receive asked at <paramref name="asked"/> brought (their visibility is counted from then, to be
    /// safe), or puts off those not due yet. On a FIFO queue, a message received after one of its group that was put
    /// off is given back: it comes after that one.
    /// </summary>
    private async Task AcceptAsync(List<Message> messages, DateTimeOffset asked)
    {
        var now = time.GetUtcNow();
        var putOff = new HashSet<string>(StringComparer.Ordinal);
        var behind = new List<SqsBuffer.Held>();
        var accepted = 0;
        foreach (var message in messages)
        {
            if (Read(message) is not { } envelope)
            {
                continue;
            }

            var group = sqs.Fifo && Replicas.OrderingScope(envelope.Meta) is { Length: > 0 } scope ? scope : null;
            if (group is not null && putOff.Contains(group))
            {
                behind.Add(Held(message, envelope, group, asked));
            }
            else if (envelope.DeliverAt - now > _hold)
            {
                await PutOffAsync(message, envelope, now);
                if (group is not null)
                {
                    putOff.Add(group);
                }
            }
            else
            {
                _buffer.Add(Held(message, envelope, group, asked));
                accepted++;
            }
        }

        await ReturnAsync(behind);
        if (accepted > 0)
        {
            notify();
        }
    }

    /// <summary>A received message as the buffer holds it: leased as its attempt, hidden for a visibility timeout from <paramref name="asked"/>.</summary>
    private SqsBuffer.Held Held(Message message, Envelope envelope, string? group, DateTimeOffset asked) =>
        new(new LeasedMessage(envelope, SqsMessages.Attempt(envelope, message, sqs.Fifo, _hold), Interlocked.Increment(ref _lastToken)), message.ReceiptHandle, group, SqsMessages.ReceivedCount(message) > 1)
        {
            HiddenUntil = asked + sqs.VisibilityTimeout,
        };

    private Envelope? Read(Message message)
    {
        try
        {
            if (SqsMessages.Read(message) is { } envelope)
            {
                return envelope;
            }

            SqsLogEvents.Unreadable(logger, message.MessageId, sqs.Queue, "no wal-meta attribute");
        }
        catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException)
        {
            SqsLogEvents.Unreadable(logger, message.MessageId, sqs.Queue, ex.Message);
        }

        return null;
    }

    private static TimeSpan Min(params TimeSpan[] spans) => spans.Min();
}
