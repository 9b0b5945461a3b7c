using System.Collections.Concurrent;
using Amazon.SQS.Model;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;

namespace WalService.Sqs;

/// <summary>
/// Consumes one namespace's queue: <paramref name="receivers"/> loops long-poll <c>ReceiveMessage</c> side by side
/// into one small buffer, each while fewer than a poll's worth of messages per receiver wait there, and the runtime
/// leases from the buffer. A received message due within a few
/// seconds waits in the buffer; one due later is hidden (<c>ChangeMessageVisibility</c>, at most 12 h) and dropped,
/// so SQS hands it out again when it is due. A received message stays invisible to other consumers for the
/// namespace's visibility timeout, extended while it is still held here (a slow delivery); one whose consumer died is
/// handed out again after it, at least once. Receives and visibility changes are counted in <see cref="SqsMetrics"/>.
/// </summary>
internal sealed class SqsConsumer(string ns, SqsNamespace sqs, string queueUrl, int receivers, SqsQueues queues, TimeProvider time, ILogger logger, Action notify) : IDisposable
{
    /// <summary>The most receivers of one namespace: enough to keep a few delivery loops fed without many idle long-polls.</summary>
    public const int MaxReceivers = 4;

    private static readonly TimeSpan HoldLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxVisibility = TimeSpan.FromHours(12);
    private static readonly TimeSpan FullWait = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MinTick = TimeSpan.FromMilliseconds(200);
    private static long _lastToken;
    private readonly List<Held> _waiting = [];
    private readonly ConcurrentDictionary<long, Held> _leased = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    /// <summary>
    /// A received message: its lease, the receipt handle that answers it, whether it was received before (so may be
    /// finished), and until when SQS keeps it hidden.
    /// </summary>
    public sealed record Held(LeasedMessage Message, string ReceiptHandle, bool Verify)
    {
        public DateTimeOffset HiddenUntil { get; set; }
    }

    public string QueueUrl => queueUrl;

    public int Leased => _leased.Count;

    /// <summary>How many receivers a namespace with <paramref name="concurrency"/> delivery loops runs: one per loop, at most <see cref="MaxReceivers"/>.</summary>
    public static int ReceiversFor(int concurrency) => Math.Clamp(concurrency, 1, MaxReceivers);

    public void Start() =>
        _running = Task.WhenAll(Enumerable.Range(0, receivers).Select(_ => Task.Run(PollAsync)).Append(Task.Run(KeepHiddenAsync)));

    /// <summary>Up to <paramref name="max"/> buffered messages due at <paramref name="now"/>, earliest first.</summary>
    public List<Held> Lease(int max, DateTimeOffset now)
    {
        lock (_waiting)
        {
            var due = _waiting.Where(h => h.Message.Envelope.DeliverAt <= now).OrderBy(h => h.Message.Envelope.DeliverAt).Take(max).ToList();
            foreach (var held in due)
            {
                _waiting.Remove(held);
                _leased[held.Message.LeaseToken] = held;
            }

            return due;
        }
    }

    public DateTimeOffset? NextDue()
    {
        lock (_waiting)
        {
            return _waiting.Count == 0 ? null : _waiting.Min(h => h.Message.Envelope.DeliverAt);
        }
    }

    public bool Holds(LeasedMessage message) => _leased.ContainsKey(message.LeaseToken);

    /// <summary>Ends the lease; answers the receipt handle, or null when the lease is not held here.</summary>
    public string? Take(LeasedMessage message) => _leased.TryRemove(message.LeaseToken, out var held) ? held.ReceiptHandle : null;

    /// <summary>Gives a lease taken with <see cref="Take"/> back: SQS hands the message out again at once.</summary>
    public Task ReturnAsync(string receiptHandle) => HideAsync(receiptHandle, TimeSpan.Zero, "return");

    /// <summary>
    /// Stops polling once the receives under way have answered (within one poll interval) and makes every buffered
    /// message visible again, for whoever consumes the queue next.
    /// </summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
        List<Held> waiting;
        lock (_waiting)
        {
            waiting = [.. _waiting];
            _waiting.Clear();
        }

        await Task.WhenAll(waiting.Select(h => ReturnAsync(h.ReceiptHandle)));
    }

    public void Dispose() => _stop.Dispose();

    private async Task PollAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (WaitingCount() >= sqs.MaxMessagesPerPoll * receivers)
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
                        MessageSystemAttributeNames = [SqsMessages.ReceiveCount],
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
                SqsLogEvents.ReceiveFailed(logger, ex, sqs.Queue, ns);
                await Task.Delay(TimeSpan.FromSeconds(1), time, CancellationToken.None);
            }
        }
    }

    /// <summary>Buffers what a receive asked at <paramref name="asked"/> brought; their visibility is counted from then, to be safe.</summary>
    private async Task AcceptAsync(List<Message> messages, DateTimeOffset asked)
    {
        var now = time.GetUtcNow();
        var hold = HoldLimit < sqs.VisibilityTimeout / 2 ? HoldLimit : sqs.VisibilityTimeout / 2;
        var accepted = 0;
        foreach (var message in messages)
        {
            Core.Model.Envelope? envelope;
            try
            {
                envelope = SqsMessages.Read(message);
            }
            catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException)
            {
                SqsLogEvents.Unreadable(logger, message.MessageId, sqs.Queue, ex.Message);
                continue;
            }

            if (envelope is null)
            {
                SqsLogEvents.Unreadable(logger, message.MessageId, sqs.Queue, "no wal-meta attribute");
                continue;
            }

            var left = envelope.DeliverAt - now;
            if (left > hold)
            {
                await HideAsync(message.ReceiptHandle, left < MaxVisibility ? left : MaxVisibility, "hide_until_due");
                continue;
            }

            var lease = new LeasedMessage(envelope, Math.Max(1, envelope.Meta.Attempt), Interlocked.Increment(ref _lastToken));
            lock (_waiting)
            {
                _waiting.Add(new Held(lease, message.ReceiptHandle, SqsMessages.ReceivedCount(message) > 1) { HiddenUntil = asked + sqs.VisibilityTimeout });
            }

            accepted++;
        }

        if (accepted > 0)
        {
            notify();
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
            List<Held> expiring;
            lock (_waiting)
            {
                expiring = [.. _waiting.Concat(_leased.Values).Where(h => h.HiddenUntil - now < sqs.VisibilityTimeout / 2)];
            }

            foreach (var held in expiring)
            {
                held.HiddenUntil = now + sqs.VisibilityTimeout;
                await HideAsync(held.ReceiptHandle, sqs.VisibilityTimeout, "extend");
            }
        }
    }

    /// <summary>Changes the message's visibility timeout to <paramref name="duration"/>, counted by <paramref name="reason"/>.</summary>
    private async Task HideAsync(string receiptHandle, TimeSpan duration, string reason)
    {
        queues.Metrics.VisibilityChanged(ns, reason);
        try
        {
            await queues.Client.ChangeMessageVisibilityAsync(
                new ChangeMessageVisibilityRequest { QueueUrl = queueUrl, ReceiptHandle = receiptHandle, VisibilityTimeout = (int)Math.Ceiling(duration.TotalSeconds) },
                CancellationToken.None);
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
        {
            SqsLogEvents.CallFailed(logger, ex, "change the visibility of", 1, sqs.Queue);
        }
    }

    private int WaitingCount()
    {
        lock (_waiting)
        {
            return _waiting.Count;
        }
    }
}
