using Testcontainers.Kafka;
using WalService.DockerTests;

[assembly: AssemblyFixture(typeof(KafkaBrokerServer))]

namespace WalService.DockerTests;

/// <summary>
/// For the whole lane: a real Apache Kafka broker (KRaft, one combined broker and controller) in a container, and the
/// in-process server whose cluster "default" is that broker, creating namespaces' topics itself.
/// </summary>
public sealed class KafkaBrokerServer() : ContainerBackend("the broker")
{
    public const string Image = "apache/kafka:3.8.0";
    private KafkaContainer? _broker;

    /// <summary>librdkafka's <c>bootstrap.servers</c> for the broker's port as published on this host.</summary>
    public string BootstrapServers => Running(_broker).GetBootstrapAddress();

    protected override async Task StartContainerAsync(CancellationToken cancellationToken)
    {
        _broker = new KafkaBuilder(Image).WithKRaft().Build();
        await _broker.StartAsync(cancellationToken);
    }

    protected override IEnumerable<KeyValuePair<string, string?>> ServerSettings() =>
    [
        new("Wal:Kafka:Clusters:default:BootstrapServers", BootstrapServers),
        new("Wal:Kafka:Clusters:default:Properties:session.timeout.ms", "6000"),
    ];

    protected override async ValueTask StopContainerAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
