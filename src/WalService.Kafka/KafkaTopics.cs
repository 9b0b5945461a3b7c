using System.Text.RegularExpressions;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace WalService.Kafka;

/// <summary>
/// Topic names, and topic housekeeping through the admin API: creating a namespace's topics, its consumer group's lag,
/// readiness.
/// </summary>
internal static partial class KafkaTopics
{
    /// <summary>What Kafka accepts as a topic name, for error messages.</summary>
    public const string NameRule = "1-249 of a-z A-Z 0-9 . _ -, not . or ..";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Whether Kafka accepts <paramref name="topic"/> as a topic name (<see cref="NameRule"/>).</summary>
    public static bool IsLegalName(string topic) => TopicPattern().IsMatch(topic) && topic is not ("." or "..");

    /// <summary>
    /// Creates whichever of the namespace's topics the cluster does not list, with the namespace's partition count. A
    /// cluster that does not answer makes the call fail (UNAVAILABLE); one that refuses to create a topic is logged,
    /// since the topic may be auto-created on first use or created by its operator.
    /// </summary>
    public static async Task EnsureAsync(KafkaClusters clusters, KafkaNamespace kafka, ILogger logger, CancellationToken cancellationToken)
    {
        var options = clusters.Cluster(kafka.Cluster);
        if (!options.CreateTopics)
        {
            return;
        }

        using var admin = clusters.Admin(kafka.Cluster);
        Metadata metadata;
        try
        {
            metadata = await Task.Run(() => admin.GetMetadata(Timeout), cancellationToken);
        }
        catch (KafkaException ex)
        {
            throw new Core.Abstractions.ControlPlaneException(
                Core.Abstractions.ControlPlaneError.Unavailable,
                $"config.kafka.cluster '{kafka.Cluster}' did not answer: {ex.Error.Reason}");
        }

        var existing = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
        var missing = new[] { kafka.Topic, kafka.RetryTopic, kafka.DlqTopic }.Where(t => !existing.Contains(t)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        try
        {
            await admin.CreateTopicsAsync(
                missing.Select(t => new TopicSpecification { Name = t, NumPartitions = kafka.Partitions, ReplicationFactor = options.ReplicationFactor }),
                new CreateTopicsOptions { RequestTimeout = Timeout, OperationTimeout = Timeout });
            missing.ForEach(t => KafkaLogEvents.TopicCreated(logger, t, kafka.Partitions, kafka.Cluster));
        }
        catch (CreateTopicsException ex)
        {
            foreach (var report in ex.Results)
            {
                if (report.Error.Code == ErrorCode.TopicAlreadyExists)
                {
                    continue;
                }

                if (report.Error.Code == ErrorCode.NoError)
                {
                    KafkaLogEvents.TopicCreated(logger, report.Topic, kafka.Partitions, kafka.Cluster);
                }
                else
                {
                    KafkaLogEvents.TopicNotCreated(logger, report.Topic, kafka.Cluster, report.Error.Reason);
                }
            }
        }
        catch (KafkaException ex)
        {
            missing.ForEach(t => KafkaLogEvents.TopicNotCreated(logger, t, kafka.Cluster, ex.Error.Reason));
        }
    }

    /// <summary>Records of the topic and retry topic past the group's committed offsets (blocking).</summary>
    public static long Lag(KafkaClusters clusters, KafkaNamespace kafka, string groupId, TimeSpan timeout)
    {
        using var admin = clusters.Admin(kafka.Cluster);
        var partitions = new[] { kafka.Topic, kafka.RetryTopic }
            .SelectMany(topic => admin.GetMetadata(topic, timeout).Topics)
            .Where(t => t.Error.Code == ErrorCode.NoError)
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
            .ToList();
        using var reader = new ConsumerBuilder<byte[], byte[]>(clusters.ConsumerConfig(kafka.Cluster, groupId)).SetLogHandler((_, m) => clusters.LogLine(m)).Build();
        var committed = reader.Committed(partitions, timeout).ToDictionary(c => c.TopicPartition, c => c.Offset);
        long lag = 0;
        foreach (var partition in partitions)
        {
            var marks = reader.QueryWatermarkOffsets(partition, timeout);
            var from = committed.TryGetValue(partition, out var offset) && offset != Offset.Unset ? offset.Value : marks.Low.Value;
            lag += Math.Max(0, marks.High.Value - from);
        }

        return lag;
    }

    /// <summary>Partition counts of every topic of the cluster, or null when it does not answer (blocking).</summary>
    public static IReadOnlyDictionary<string, int>? Partitions(KafkaClusters clusters, string cluster, TimeSpan timeout)
    {
        try
        {
            using var admin = clusters.Admin(cluster);
            return admin.GetMetadata(timeout).Topics
                .Where(t => t.Error.Code == ErrorCode.NoError)
                .ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal);
        }
        catch (KafkaException)
        {
            return null;
        }
    }

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[a-zA-Z0-9._-]{1,249}\z")]
    private static partial Regex TopicPattern();
}
