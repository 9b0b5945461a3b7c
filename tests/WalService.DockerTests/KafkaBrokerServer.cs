using Testcontainers.Kafka;
using WalService.DockerTests;
using WalService.TestSupport;

[assembly: AssemblyFixture(typeof(KafkaBrokerServer))]

namespace WalService.DockerTests;

/// <summary>
/// For the whole lane: a real Apache Kafka broker (KRaft, one combined broker and controller) in a container, and the
/// in-process server whose cluster "default" is that broker, creating namespaces' topics itself. Where no Docker
/// engine answers, nothing starts and <see cref="SkipReason"/> says what was probed.
/// </summary>
public sealed class KafkaBrokerServer : IAsyncLifetime
{
    public const string Image = "apache/kafka:3.8.0";
    private KafkaContainer? _broker;
    private WalServerFactory? _factory;

    /// <summary>Why the lane cannot run here; null once the broker and server run.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>librdkafka's <c>bootstrap.servers</c> for the broker's port as published on this host.</summary>
    public string BootstrapServers => Running(_broker).GetBootstrapAddress();

    public WalServerFactory Factory => Running(_factory);

    public async ValueTask InitializeAsync()
    {
        var (answers, probed) = await DockerEngine.ProbeAsync();
        if (!answers)
        {
            SkipReason = $"no Docker engine answers here ({probed})";
            return;
        }

        _broker = new KafkaBuilder(Image).WithKRaft().Build();
        await _broker.StartAsync(TestContext.Current.CancellationToken);
        _factory = new WalServerFactory();
        _factory.Settings["Wal:Kafka:Clusters:default:BootstrapServers"] = BootstrapServers;
        _factory.Settings["Wal:Kafka:Clusters:default:Properties:session.timeout.ms"] = "6000";
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    private T Running<T>(T? part)
        where T : class =>
        part ?? throw new InvalidOperationException(SkipReason ?? "the broker has not started");
}
