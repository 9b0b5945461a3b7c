using System.ComponentModel.DataAnnotations;

namespace WalService.Kafka;

/// <summary>The Kafka clusters namespaces may use, bound from <c>Wal:Kafka</c>.</summary>
public sealed class KafkaOptions
{
    public const string Section = "Wal:Kafka";

    /// <summary>Clusters by name, referenced by <c>KafkaBackend.cluster</c> and <c>KafkaTarget.cluster</c>.</summary>
    public Dictionary<string, KafkaClusterOptions> Clusters { get; } = new(StringComparer.Ordinal);

    /// <summary>Consumer groups are named this prefix plus the namespace ["wal."].</summary>
    [Required]
    public string ConsumerGroupPrefix { get; set; } = "wal.";

    /// <summary>
    /// Messages of one partition held in memory at once [5000]: past a message not yet due, later ones that are due
    /// are delivered; when this many wait, the partition is paused until some are done.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxBufferedPerPartition { get; set; } = 5000;

    /// <summary>
    /// This instance's name in every namespace's consumer group, as static membership (librdkafka's
    /// <c>group.instance.id</c> is this name, a dot, and the group) [unset: dynamic membership]. Give each instance a
    /// name that stays the same across its restarts and that no other instance uses (two live instances with one name
    /// fence each other out): an instance that is killed and restarted within the session timeout then takes its
    /// partitions back at once, where a dynamic member waits for the session timeout (45 s by default) to pass. A
    /// static member does not leave its group on shutdown, so an instance that stops for good holds its partitions
    /// until the session timeout. Needs brokers that support static membership (Kafka 2.3 or later).
    /// </summary>
    [RegularExpression("^[a-zA-Z0-9._-]{1,100}$")]
    public string? InstanceName { get; set; }

    /// <summary>How long a rebalance waits for deliveries under way in revoked partitions before it hands them over [10 s].</summary>
    public TimeSpan RevokeGrace { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>One named cluster: <c>Wal:Kafka:Clusters:&lt;name&gt;</c>.</summary>
public sealed class KafkaClusterOptions
{
    /// <summary>librdkafka's <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; set; } = string.Empty;

    /// <summary>Any librdkafka property (security, timeouts, …), applied to every client of the cluster; these win over the service's own settings.</summary>
    public Dictionary<string, string> Properties { get; } = new(StringComparer.Ordinal);

    /// <summary>Create a namespace's missing topics when it is created [true].</summary>
    public bool CreateTopics { get; set; } = true;

    /// <summary>Replication factor of topics the service creates [-1: the broker's default].</summary>
    public short ReplicationFactor { get; set; } = -1;

    /// <summary>
    /// The consumer group protocol of namespace consumers: <c>classic</c> (JoinGroup/SyncGroup, cooperative-sticky
    /// assignment, any Kafka) or <c>consumer</c> (KIP-848: the broker assigns partitions, incrementally and without
    /// holding a new group's first join; Kafka 4.0 or later) [classic]. With <c>consumer</c> the classic-only client
    /// properties (<c>session.timeout.ms</c>, <c>heartbeat.interval.ms</c>, <c>partition.assignment.strategy</c>) are
    /// left out: the broker's group settings rule.
    /// </summary>
    [RegularExpression("^(classic|consumer)$")]
    public string GroupProtocol { get; set; } = KafkaGroupProtocols.Classic;
}

/// <summary>The values of <see cref="KafkaClusterOptions.GroupProtocol"/>.</summary>
public static class KafkaGroupProtocols
{
    public const string Classic = "classic";

    public const string Consumer = "consumer";

    /// <summary>librdkafka's consumer properties that only the classic protocol takes (it refuses them with <c>consumer</c>).</summary>
    internal static readonly string[] ClassicOnlyProperties = ["session.timeout.ms", "heartbeat.interval.ms", "partition.assignment.strategy"];
}
