using System.Globalization;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Google.Protobuf;
using WalService.Core.Model.Storage;

namespace WalService.Bench;

/// <summary>
/// The SQS mode's reference: a plain AWSSDK.SQS client sending the messages the service sends for the same payloads
/// (<c>src/WalService.Sqs/SqsMessages.cs</c>): the payload base64-encoded as the body, in <c>SendMessageBatch</c>
/// calls of 10 entries. One call of a loop sends as many messages as one <c>WriteToLogBatch</c> call has entries,
/// 10 at a time one after another, as the service sends them, so both keep as many requests in flight on the endpoint
/// and a call's latency covers as many messages. With <c>attributesOf</c>, each message also carries the attributes
/// the service gives it: <c>wal-meta</c>, a binary <c>EnvelopeMeta</c> of the fields the service fills in on a
/// traced first write, and the string <c>wal-message-id</c>; so only the service's own work differs.
/// </summary>
internal static class PlainSqsClient
{
    /// <summary>Entries of one <c>SendMessageBatch</c> call: SQS's most, and what the service sends.</summary>
    public const int MaxBatch = 10;

    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

    /// <summary>The call of loop <c>i</c>: <paramref name="size"/> messages to <paramref name="queueUrl"/> in batches of 10, answered once all are.</summary>
    public static Func<int, Func<CancellationToken, Task<CallOutcome>>> Calls(IAmazonSQS client, string queueUrl, byte[] payload, int size, string? attributesOf) => loop =>
    {
        long sequence = 0;
        var body = payload.Length == 0 ? " " : Convert.ToBase64String(payload);
        return async _ =>
        {
            int durable = 0, notDurable = 0;
            string? problem = null;
            for (var first = 0; first < size; first += MaxBatch)
            {
                var entries = new List<SendMessageBatchRequestEntry>(MaxBatch);
                for (var k = 0; k < Math.Min(MaxBatch, size - first); k++)
                {
                    var id = string.Create(CultureInfo.InvariantCulture, $"{loop:D4}{sequence++:D22}");
                    entries.Add(new SendMessageBatchRequestEntry
                    {
                        Id = k.ToString(CultureInfo.InvariantCulture),
                        MessageBody = body,
                        DelaySeconds = 0,
                        MessageAttributes = attributesOf is null ? null : ServiceLikeAttributes(id, attributesOf),
                    });
                }

                try
                {
                    // Sent whole, as the service sends a batch it admitted.
                    var response = await client.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = queueUrl, Entries = entries }, CancellationToken.None);
                    var failed = response.Failed ?? [];
                    durable += entries.Count - failed.Count;
                    notDurable += failed.Count;
                    problem ??= failed.Select(f => $"sqs: {f.Code}: {f.Message}").FirstOrDefault();
                }
                catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or TaskCanceledException)
                {
                    notDurable += entries.Count;
                    problem ??= $"sqs: {ex.Message}";
                }
            }

            return new CallOutcome(durable, notDurable, null, problem);
        };
    };

    /// <summary>The attributes the service gives a first write of namespace <paramref name="ns"/> in a traced request, with values of the same sizes.</summary>
    private static Dictionary<string, MessageAttributeValue> ServiceLikeAttributes(string messageId, string ns)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var meta = new EnvelopeMeta { MessageId = messageId, Namespace = ns, DeliverAtMs = now, OriginalWriteTimeMs = now, TraceParent = TraceParent };
        return new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal)
        {
            ["wal-meta"] = new() { DataType = "Binary", BinaryValue = new MemoryStream(meta.ToByteArray()) },
            ["wal-message-id"] = new() { DataType = "String", StringValue = messageId },
        };
    }
}
