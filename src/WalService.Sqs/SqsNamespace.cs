using WalService.Api.V1;

namespace WalService.Sqs;

/// <summary>A namespace's <c>SqsBackend</c> with its defaults resolved.</summary>
/// <param name="Queue">The log [wal-&lt;namespace&gt;, dots as dashes; with <c>.fifo</c> on a FIFO queue].</param>
/// <param name="DlqQueue">Dead letters [&lt;queue&gt;-dlq; before <c>.fifo</c> on a FIFO queue].</param>
/// <param name="PollWait">Long-poll wait of one receive [1 s].</param>
/// <param name="MaxMessagesPerPoll">Messages one receive asks for [10].</param>
/// <param name="VisibilityTimeout">How long a received message stays hidden from other consumers [30 s].</param>
/// <param name="Fifo">Whether both queues are FIFO queues: ordering keys are message groups, kept in order.</param>
internal sealed record SqsNamespace(string Queue, string DlqQueue, TimeSpan PollWait, int MaxMessagesPerPoll, TimeSpan VisibilityTimeout, bool Fifo)
{
    public const string FifoSuffix = ".fifo";
    public static readonly TimeSpan DefaultPollWait = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultVisibilityTimeout = TimeSpan.FromSeconds(30);
    public const int DefaultMaxMessagesPerPoll = 10;

    public static SqsNamespace From(NamespaceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var s = config.Sqs ?? new SqsBackend();
        var suffix = s.Fifo ? FifoSuffix : string.Empty;
        var queue = Or(s.QueueName, "wal-" + config.Name.Replace('.', '-') + suffix);
        var stem = s.Fifo && SqsQueues.IsFifo(queue) ? queue[..^FifoSuffix.Length] : queue;
        return new SqsNamespace(
            queue,
            Or(s.DlqQueueName, stem + "-dlq" + suffix),
            s.PollInterval is { } poll ? poll.ToTimeSpan() : DefaultPollWait,
            s.MaxMessagesPerPoll > 0 ? s.MaxMessagesPerPoll : DefaultMaxMessagesPerPoll,
            s.VisibilityTimeout is { } visibility ? visibility.ToTimeSpan() : DefaultVisibilityTimeout,
            s.Fifo);
    }

    /// <summary>A standard queue keeps no order, so its namespace refuses ordering keys rather than drop the promise.</summary>
    public static string? OrderingKeyRefusal(NamespaceConfig config) => config.Sqs is { Fifo: true }
        ? null
        : $"namespace '{config.Name}' is on a standard SQS queue, which keeps no order; ordering keys need a FIFO namespace (sqs.fifo = true)";

    private static string Or(string value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;
}
