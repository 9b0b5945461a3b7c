using WalService.Api.V1;

namespace WalService.Kafka;

/// <summary>A namespace's <c>KafkaBackend</c> with its defaults resolved.</summary>
/// <param name="Cluster">Cluster name [default].</param>
/// <param name="Topic">The log [wal.&lt;namespace&gt;].</param>
/// <param name="RetryTopic">Messages waiting for another attempt [wal.&lt;namespace&gt;.retry].</param>
/// <param name="DlqTopic">Dead letters [wal.&lt;namespace&gt;.dlq].</param>
/// <param name="Partitions">Partitions of topics the service creates [4].</param>
internal sealed record KafkaNamespace(string Cluster, string Topic, string RetryTopic, string DlqTopic, int Partitions)
{
    public const string DefaultCluster = "default";
    public const int DefaultPartitions = 4;

    public static KafkaNamespace From(NamespaceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var k = config.Kafka ?? new KafkaBackend();
        var topic = Or(k.Topic, $"wal.{config.Name}");
        return new KafkaNamespace(
            Or(k.Cluster, DefaultCluster),
            topic,
            Or(k.RetryTopic, $"{topic}.retry"),
            Or(k.DlqTopic, $"{topic}.dlq"),
            k.Partitions > 0 ? k.Partitions : DefaultPartitions);
    }

    private static string Or(string value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;
}
