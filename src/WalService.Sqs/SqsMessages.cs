using System.Diagnostics;
using System.Globalization;
using System.Net;
using Amazon.Runtime;
using Amazon.SQS.Model;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Sqs;

/// <summary>
/// Envelopes as SQS messages: the payload base64-encoded as the body (bodies are text), the metadata as the binary
/// attribute <c>wal-meta</c> (the protobuf <c>EnvelopeMeta</c>), and the id as the string attribute
/// <c>wal-message-id</c> for people reading the queue. On a standard queue a message due later is sent with a delay of
/// up to <see cref="SqsOptions.MaxSendDelay"/> (SQS's most is 15 minutes); the consumer sends it again for the rest. A
/// FIFO queue takes no delay per message: its message group is the ordering key (else the message id), its
/// deduplication id the idempotency key (else the message id), and the consumer hides a message until it is due.
/// </summary>
internal static class SqsMessages
{
    public const string Meta = "wal-meta";
    public const string MessageId = "wal-message-id";
    public const string Error = "wal-error";
    public const string DeadLetteredAt = "wal-dead-lettered-at";
    public const string ReceiveCount = "ApproximateReceiveCount";
    public const string FirstReceived = "ApproximateFirstReceiveTimestamp";
    public const int MaxBatch = 10;

    /// <summary>
    /// The default and the most <c>max_payload_bytes</c> of a namespace on SQS (its <see cref="Core.Model.BackendTraits"/>):
    /// a message is at most 256 KiB, body and attributes together; 16 KiB of that is kept for the metadata attributes,
    /// and the body is the payload base64-encoded (4 characters per 3 bytes), so 3/4 of 240 KiB = 180 KiB.
    /// </summary>
    public const int MaxPayloadBytes = (256 - 16) * 1024 / 4 * 3;

    /// <summary>The longest SQS keeps a message hidden from one receive (<c>ChangeMessageVisibility</c>).</summary>
    public static readonly TimeSpan MaxVisibility = TimeSpan.FromHours(12);
    private const int MaxBatchBytes = 256 * 1024;

    /// <summary>
    /// Sends the envelopes in batches of up to 10 (and 256 KiB) and answers each as a write is answered: TRUE when SQS
    /// took it, FALSE when it refused it (an entry in <c>Failed</c>, or a 4xx for the whole batch), UNKNOWN when it may
    /// have taken it (a timeout, a 5xx, a network error). Each call is measured in <see cref="SqsMetrics"/> by queue
    /// (the last segment of <paramref name="queueUrl"/>). A <paramref name="resend"/> (a dead letter, a redrive) gets a
    /// deduplication id of its own on a FIFO queue, so SQS does not take it for the first send.
    /// </summary>
    public static async Task<AppendResult[]> SendAsync(
        SqsQueues queues, string queueUrl, IReadOnlyList<Envelope> envelopes, DateTimeOffset now, bool resend, CancellationToken cancellationToken, params (string Name, string Value)[] attributes)
    {
        var queue = queueUrl[(queueUrl.LastIndexOf('/') + 1)..];
        var fifo = SqsQueues.IsFifo(queue);
        var maxDelay = (int)queues.Options.MaxSendDelay.TotalSeconds;
        var results = new AppendResult[envelopes.Count];
        foreach (var chunk in Chunks(envelopes))
        {
            var entries = chunk.Select(i => Entry(i, envelopes[i], fifo, resend, (int)Math.Clamp(Math.Floor((envelopes[i].DeliverAt - now).TotalSeconds), 0, maxDelay), attributes)).ToList();
            var startedAt = Stopwatch.GetTimestamp();
            try
            {
                var response = await queues.Client.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = queueUrl, Entries = entries }, cancellationToken);
                foreach (var i in chunk)
                {
                    results[i] = AppendResult.Persisted(envelopes[i].MessageId);
                }

                var failures = response.Failed ?? [];
                foreach (var failed in failures)
                {
                    var i = int.Parse(failed.Id, CultureInfo.InvariantCulture);
                    results[i] = new AppendResult(Trilean.False, envelopes[i].MessageId, $"sqs: {failed.Code}: {failed.Message}");
                    queues.Metrics.SendFailed(queue, failed.Code, 1);
                }

                queues.Metrics.Sent(queue, startedAt, failures.Count == 0 ? "sent" : "partly_failed");
            }
            catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var refused = ex is AmazonServiceException { StatusCode: >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError } || NeverSent(ex);
                foreach (var i in chunk)
                {
                    results[i] = new AppendResult(refused ? Trilean.False : Trilean.Unknown, envelopes[i].MessageId, $"sqs: {ex.Message}");
                }

                queues.Metrics.Sent(queue, startedAt, refused ? "refused" : "unknown");
                queues.Metrics.SendFailed(queue, ex is AmazonServiceException { ErrorCode: { Length: > 0 } code } ? code : ex.GetType().Name, chunk.Count);
            }
        }

        return results;
    }

    /// <summary>
    /// The body of an empty payload: SQS refuses an empty body, and base64 decoding skips white space, so a single
    /// space reads back as no bytes.
    /// </summary>
    private const string EmptyBody = " ";

    /// <summary>Whether the request certainly never reached SQS: no connection could be made (refused, no route, no such host).</summary>
    private static bool NeverSent(Exception ex)
    {
        for (var e = (Exception?)ex; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A <c>DeleteMessageBatch</c> request for up to 10 received messages.</summary>
    public static DeleteMessageBatchRequest DeleteBatch(string queueUrl, IEnumerable<string> receiptHandles) => new()
    {
        QueueUrl = queueUrl,
        Entries = [.. receiptHandles.Select((h, i) => new DeleteMessageBatchRequestEntry { Id = i.ToString(CultureInfo.InvariantCulture), ReceiptHandle = h })],
    };

    /// <summary>The envelope of a received message, or null when it carries none (not written by this service).</summary>
    public static Envelope? Read(Message message)
    {
        if (message.MessageAttributes?.TryGetValue(Meta, out var meta) != true || meta!.BinaryValue is null)
        {
            return null;
        }

        return new Envelope(EnvelopeCodec.DecodeMeta(meta.BinaryValue.ToArray()), Convert.FromBase64String(message.Body));
    }

    /// <summary>How often SQS has handed the message out, this time included.</summary>
    public static int ReceivedCount(Message message) =>
        message.Attributes?.TryGetValue(ReceiveCount, out var count) == true && int.TryParse(count, CultureInfo.InvariantCulture, out var n) ? n : 1;

    /// <summary>
    /// The delivery attempt a received message is: the envelope's attempt and one more for each time SQS handed it out
    /// before (a failed delivery is hidden for its backoff, so it comes back as the next attempt). Not counted: on a
    /// FIFO queue, the receives before the message was due (it is hidden until then, at most 12 h at a time) when it
    /// was first received more than <paramref name="hold"/> before its due time. A standard queue sends a message that
    /// comes back early again, as a new message.
    /// </summary>
    public static int Attempt(Envelope envelope, Message message, bool fifo, TimeSpan hold)
    {
        var early = 0;
        if (fifo && message.Attributes?.TryGetValue(FirstReceived, out var first) == true && long.TryParse(first, CultureInfo.InvariantCulture, out var ms))
        {
            var ahead = envelope.DeliverAt - DateTimeOffset.FromUnixTimeMilliseconds(ms);
            early = ahead > hold ? (int)Math.Ceiling((ahead - hold) / MaxVisibility) : 0;
        }

        return Math.Max(1, envelope.Meta.Attempt) + Math.Max(0, ReceivedCount(message) - 1 - early);
    }

    /// <summary>
    /// The batch entry of an envelope: on a standard queue with <paramref name="delaySeconds"/>; on a FIFO queue (which
    /// takes no delay per message) with its group and deduplication ids, a fresh one for a <paramref name="resend"/>.
    /// </summary>
    private static SendMessageBatchRequestEntry Entry(int index, Envelope envelope, bool fifo, bool resend, int delaySeconds, (string Name, string Value)[] attributes)
    {
        var entry = new SendMessageBatchRequestEntry
        {
            Id = index.ToString(CultureInfo.InvariantCulture),
            MessageBody = envelope.Payload.IsEmpty ? EmptyBody : Convert.ToBase64String(envelope.Payload.Span),
            MessageAttributes = new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal)
            {
                [Meta] = new() { DataType = "Binary", BinaryValue = new MemoryStream(EnvelopeCodec.EncodeMeta(envelope.Meta)) },
                [MessageId] = new() { DataType = "String", StringValue = envelope.MessageId },
            },
        };
        foreach (var (name, value) in attributes)
        {
            entry.MessageAttributes[name] = new MessageAttributeValue { DataType = "String", StringValue = value };
        }

        if (fifo)
        {
            entry.MessageGroupId = SqsIds.GroupId(envelope);
            entry.MessageDeduplicationId = resend ? Guid.NewGuid().ToString("N") : SqsIds.DeduplicationId(envelope);
        }
        else
        {
            entry.DelaySeconds = delaySeconds;
        }

        return entry;
    }

    /// <summary>
    /// Whether an entry of <paramref name="size"/> (<see cref="SizeOf"/>) still fits a batch of <paramref name="count"/>
    /// entries and <paramref name="bytes"/>: at most 10 entries and 256 KiB, and a first entry always fits.
    /// </summary>
    public static bool Fits(int count, long bytes, long size) => count == 0 || (count < MaxBatch && bytes + size <= MaxBatchBytes);

    /// <summary>What an envelope takes of a batch: its body (base64) and a generous kilobyte for its attributes.</summary>
    public static long SizeOf(Envelope envelope) => ((envelope.Payload.Length + 2L) / 3 * 4) + 1024;

    /// <summary>Indexes in batches SQS takes (see <see cref="Fits"/>).</summary>
    private static IEnumerable<List<int>> Chunks(IReadOnlyList<Envelope> envelopes)
    {
        var chunk = new List<int>(MaxBatch);
        long bytes = 0;
        for (var i = 0; i < envelopes.Count; i++)
        {
            var size = SizeOf(envelopes[i]);
            if (!Fits(chunk.Count, bytes, size))
            {
                yield return chunk;
                chunk = new List<int>(MaxBatch);
                bytes = 0;
            }

            chunk.Add(i);
            bytes += size;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }
}
