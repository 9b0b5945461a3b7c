using Microsoft.Extensions.Logging;

namespace WalService.Kafka;

/// <summary>Log events of the Kafka backend (event ids 3000-3099).</summary>
internal static partial class KafkaLogEvents
{
    [LoggerMessage(EventId = 3000, Message = "librdkafka {Client} {Facility}: {Text}")]
    public static partial void Client(ILogger logger, LogLevel level, string client, string facility, string text);

    [LoggerMessage(3001, LogLevel.Information, "Rebalance of namespace {Namespace}: assigned {Partitions}")]
    public static partial void Assigned(ILogger logger, string @namespace, string partitions);

    [LoggerMessage(3002, LogLevel.Information, "Rebalance of namespace {Namespace}: revoked {Partitions}; committed what was done, {Unfinished} unfinished record(s) go to the next owner")]
    public static partial void Revoked(ILogger logger, string @namespace, string partitions, int unfinished);

    [LoggerMessage(3003, LogLevel.Warning, "Rebalance of namespace {Namespace}: lost {Partitions}; their unfinished records will be delivered again by the next owner")]
    public static partial void Lost(ILogger logger, string @namespace, string partitions);

    [LoggerMessage(3004, LogLevel.Warning, "Consuming namespace {Namespace} failed: {Reason}")]
    public static partial void ConsumeFailed(ILogger logger, string @namespace, string reason);

    [LoggerMessage(3005, LogLevel.Warning, "Committing offsets of namespace {Namespace} failed; they are committed with the next ones")]
    public static partial void CommitFailed(ILogger logger, Exception exception, string @namespace);

    [LoggerMessage(3006, LogLevel.Information, "Created topic {Topic} with {Partitions} partition(s) on cluster {Cluster}")]
    public static partial void TopicCreated(ILogger logger, string topic, int partitions, string cluster);

    [LoggerMessage(3007, LogLevel.Warning, "Could not create topic {Topic} on cluster {Cluster}; it must exist (or be auto-created) before use: {Reason}")]
    public static partial void TopicNotCreated(ILogger logger, string topic, string cluster, string reason);

    [LoggerMessage(3008, LogLevel.Warning, "Record at {Topic}/{Partition}@{Offset} of namespace {Namespace} cannot be read as a message and is skipped: {Reason}")]
    public static partial void Unreadable(ILogger logger, string topic, int partition, long offset, string @namespace, string reason);

    [LoggerMessage(3010, LogLevel.Information, "Skipped {Count} record(s) of namespace {Namespace} that the previous owner of their partition had already finished")]
    public static partial void SkippedFinished(ILogger logger, int count, string @namespace);

    [LoggerMessage(3012, LogLevel.Error, "The consumer of namespace {Namespace} stopped on an error; a new one takes its place, and its unfinished records are read again from the committed offsets")]
    public static partial void ConsumerDied(ILogger logger, Exception exception, string @namespace);

    [LoggerMessage(3013, LogLevel.Error, "Consumer {Client} fell behind its topic's retention: records were deleted before they were delivered, and it goes on from the oldest one kept. Keep retention above the longest backlog. {Text}")]
    public static partial void BehindRetention(ILogger logger, string client, string text);

    [LoggerMessage(3014, LogLevel.Information, "A missing topic of namespace {Namespace} exists now; its consumer subscribes again")]
    public static partial void TopicAppeared(ILogger logger, string @namespace);

    [LoggerMessage(3015, LogLevel.Information, "Namespace {Namespace} is paused: its consumer stays in the group, parked, for its resumption")]
    public static partial void Parked(ILogger logger, string @namespace);

    [LoggerMessage(3016, LogLevel.Information, "Namespace {Namespace} resumes with its parked consumer, already assigned")]
    public static partial void Reclaimed(ILogger logger, string @namespace);
}
