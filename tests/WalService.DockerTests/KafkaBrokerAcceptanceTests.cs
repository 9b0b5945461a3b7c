using Confluent.Kafka;
using Confluent.Kafka.Admin;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.DockerTests;

/// <summary>
/// The acceptance flow on a real Apache Kafka broker, where the service creates the namespace's topics itself. Where no
/// Docker engine answers, each test is skipped with what was probed.
/// </summary>
public sealed class KafkaBrokerAcceptanceTests(KafkaBrokerServer kafka) : BackendAcceptanceContract(DockerLane.Deadline)
{
    protected override string? SkipReason => kafka.SkipReason;

    protected override WalServerFactory Factory => kafka.Factory;

    protected override NamespaceConfig Namespace(string url, int maxAttempts = 3) => OnBroker(url, maxAttempts, partitions: 4);

    [Fact]
    public async Task CreatingANamespaceCreatesItsTopicsWithTheNamespacesPartitionCount()
    {
        var ns = await CreateAsync(OnBroker(Target.Url("/ok"), maxAttempts: 3, partitions: 3));

        var topics = new[] { $"wal.{ns.Name}", $"wal.{ns.Name}.dlq", $"wal.{ns.Name}.retry" };

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).SetLogHandler((_, _) => { }).Build();
        var described = await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    return await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(topics));
                }
                catch (DescribeTopicsException)
                {
                    return null;
                }
            },
            Deadline,
            $"the broker to describe {string.Join(", ", topics)}");

        Assert.Equal(topics, described.TopicDescriptions.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(described.TopicDescriptions, t => Assert.Equal(3, t.Partitions.Count));
    }

    /// <summary>A namespace on the broker with an HTTP target and fast retries; the service creates its topics.</summary>
    private static NamespaceConfig OnBroker(string url, int maxAttempts, int partitions)
    {
        var config = TestNamespaces.Http($"d-{Guid.NewGuid().ToString("N")[..8]}", url, maxAttempts);
        config.Kafka = new KafkaBackend { Partitions = partitions };
        config.AllowTargetOverride = true;
        return config;
    }
}
