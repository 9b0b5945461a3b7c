using WalService.LocalBackends;

namespace WalService.ProcessTests;

/// <summary>
/// A server process on librdkafka's mock cluster, hosted by the test process so it outlives the server, with an HTTP
/// target on loopback and a data folder of its own; the server's log tail is written out when a test fails.
/// </summary>
public abstract class KafkaProcessTest : ProcessTest
{
    protected MockKafkaCluster Kafka { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        Kafka = new MockKafkaCluster();
        await base.InitializeAsync();
        foreach (var (key, value) in Kafka.ServerSettings())
        {
            Server.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Kafka.Dispose();
        GC.SuppressFinalize(this);
    }
}
