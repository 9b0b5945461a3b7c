using System.Text.RegularExpressions;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;
using WalService.Core.Administration;

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
    /// Makes sure the namespace's topics exist before the namespace is accepted. Whichever the cluster does not list is
    /// created with the namespace's partition count (when <see cref="KafkaClusterOptions.CreateTopics"/> allows), else
    /// asked for by name, which a broker that auto-creates topics (<c>auto.create.topics.enable</c>, or librdkafka's
    /// mock cluster, which does not serve CreateTopics) answers by creating it with its default partition count. A
    /// topic that is still missing refuses the namespace (FAILED_PRECONDITION naming the field and the topic); a
    /// cluster that does not answer, UNAVAILABLE.
    /// </summary>
    public static async Task EnsureAsync(KafkaClusters clusters, KafkaNamespace kafka, ILogger logger, CancellationToken cancellationToken)
    {
        var options = clusters.Cluster(kafka.Cluster);
        using var admin = clusters.Admin(kafka.Cluster);
        var missing = Missing(await ListAsync(admin, kafka, cancellationToken), kafka);
        if (missing.Count == 0)
        {
            return;
        }

        string? refused = null;
        if (options.CreateTopics)
        {
            refused = await CreateAsync(admin, kafka, missing.Select(m => m.Topic).ToList(), options.ReplicationFactor, logger, cancellationToken);
        }

        foreach (var (_, topic) in missing)
        {
            await Task.Run(() => AskFor(admin, topic), cancellationToken);
        }

        var still = Missing(await ListAsync(admin, kafka, cancellationToken), kafka);
        if (still.Count > 0)
        {
            var (field, topic) = still[0];
            var why = options.CreateTopics
                ? $"CreateTopics failed ({refused ?? "no answer"})"
                : $"Wal:Kafka:Clusters:{kafka.Cluster}:CreateTopics is false";
            throw new RequestRejectedException(
                StatusCode.FailedPrecondition,
                $"config.kafka.{field} '{topic}': the topic does not exist on cluster '{kafka.Cluster}' and could not be created: {why}, and the cluster does not auto-create topics; create it, then create the namespace again");
        }
    }

    /// <summary>The namespace's topics by the field that names them.</summary>
    public static (string Field, string Topic)[] Fields(KafkaNamespace kafka) =>
        [("topic", kafka.Topic), ("retry_topic", kafka.RetryTopic), ("dlq_topic", kafka.DlqTopic)];

    private static List<(string Field, string Topic)> Missing(HashSet<string> existing, KafkaNamespace kafka) =>
        [.. Fields(kafka).Where(f => !existing.Contains(f.Topic))];

    /// <summary>The topics the cluster lists (a listing never creates one).</summary>
    private static async Task<HashSet<string>> ListAsync(IAdminClient admin, KafkaNamespace kafka, CancellationToken cancellationToken)
    {
        try
        {
            var metadata = await Task.Run(() => admin.GetMetadata(Timeout), cancellationToken);
            return metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
        }
        catch (KafkaException ex)
        {
            throw new ControlPlaneException(ControlPlaneError.Unavailable, $"config.kafka.cluster '{kafka.Cluster}' did not answer: {ex.Error.Reason}");
        }
    }

    /// <summary>Creates the topics; answers why the cluster refused one, or null.</summary>
    private static async Task<string?> CreateAsync(IAdminClient admin, KafkaNamespace kafka, List<string> topics, short replicationFactor, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await admin.CreateTopicsAsync(
                topics.Select(t => new TopicSpecification { Name = t, NumPartitions = kafka.Partitions, ReplicationFactor = replicationFactor }),
                new CreateTopicsOptions { RequestTimeout = Timeout, OperationTimeout = Timeout });
            topics.ForEach(t => KafkaLogEvents.TopicCreated(logger, t, kafka.Partitions, kafka.Cluster));
            return null;
        }
        catch (CreateTopicsException ex)
        {
            string? refused = null;
            foreach (var report in ex.Results.Where(r => r.Error.Code != ErrorCode.TopicAlreadyExists))
            {
                if (report.Error.Code == ErrorCode.NoError)
                {
                    KafkaLogEvents.TopicCreated(logger, report.Topic, kafka.Partitions, kafka.Cluster);
                }
                else
                {
                    refused ??= report.Error.Reason;
                    KafkaLogEvents.TopicNotCreated(logger, report.Topic, kafka.Cluster, report.Error.Reason);
                }
            }

            return refused;
        }
        catch (KafkaException ex)
        {
            topics.ForEach(t => KafkaLogEvents.TopicNotCreated(logger, t, kafka.Cluster, ex.Error.Reason));
            return ex.Error.Reason;
        }
    }

    /// <summary>
    /// Asks for one topic's metadata through the producer's connection: a broker that auto-creates topics for producers
    /// creates it now. A failed answer is not an error here; the listing that follows tells.
    /// </summary>
    private static void AskFor(IAdminClient admin, string topic)
    {
        try
        {
            admin.GetMetadata(topic, Timeout);
        }
        catch (KafkaException)
        {
            // The listing after this says whether the topic exists.
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
