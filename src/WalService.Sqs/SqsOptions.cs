using System.ComponentModel.DataAnnotations;

namespace WalService.Sqs;

/// <summary>Where SQS namespaces keep their queues, bound from <c>Wal:Sqs</c>. Credentials come from the standard AWS chain.</summary>
public sealed class SqsOptions
{
    public const string Section = "Wal:Sqs";

    /// <summary>Endpoint of an emulator or LocalStack, e.g. <c>http://127.0.0.1:4566</c> [empty: AWS itself].</summary>
    public string ServiceUrl { get; set; } = string.Empty;

    /// <summary>AWS region, e.g. <c>eu-west-1</c>; with <see cref="ServiceUrl"/>, the region requests are signed for [empty: the SDK's default chain; us-east-1 with a ServiceUrl].</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>Create a namespace's missing queues when it is created [true].</summary>
    public bool CreateQueues { get; set; } = true;

    /// <summary>
    /// The <c>maxReceiveCount</c> of the <c>RedrivePolicy</c> a queue this service creates gets towards its dead-letter
    /// queue: a backstop that moves a message SQS has handed out this often (the consumer keeps failing to finish it) to
    /// the DLQ, 1-1000 [100].
    /// </summary>
    [Range(1, 1000)]
    public int BackstopReceiveCount { get; set; } = 100;

    /// <summary>
    /// How many <c>SendMessageBatch</c> calls of writes may be under way to one standard queue at once; concurrent
    /// writes that find them all busy go out together in the next batches (a FIFO queue has one, to keep order) [16].
    /// </summary>
    [Range(1, 256)]
    public int MaxSendsInFlight { get; set; } = 16;

    /// <summary>
    /// The longest delay one send of a standard queue carries (<c>DelaySeconds</c>), at most SQS's 15 minutes: a message
    /// due later is sent again with the rest of its delay each time it comes back early [00:15:00].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:15:00")]
    public TimeSpan MaxSendDelay { get; set; } = TimeSpan.FromMinutes(15);
}
