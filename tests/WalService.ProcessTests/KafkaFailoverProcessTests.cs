using WalService.Api.V1;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// Two real server processes share a Kafka namespace's partitions (one consumer group) on a PostgreSQL control plane
/// and librdkafka's mock cluster. One is killed under load; the other takes its partitions over.
/// </summary>
public sealed class KafkaFailoverProcessTests() : TwoProcessTest("kafka")
{
    private const string Namespace = "failover";
    private MockKafkaCluster _kafka = null!;

    public override async ValueTask InitializeAsync()
    {
        _kafka = new MockKafkaCluster();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _kafka.Dispose();
    }

    [Fact]
    public async Task WhenOneOfTwoProcessesIsKilledTheOtherDeliversEveryDurableWrite()
    {
        FailoverUnderLoad.Step("1. start two processes on one control plane and one cluster; create a Kafka namespace with 4 partitions");
        await Task.WhenAll(First.StartAsync(), Second.StartAsync());
        _kafka.CreateNamespaceTopics(Namespace, partitions: 4);
        var config = new NamespaceConfig
        {
            Name = Namespace,
            Kafka = new KafkaBackend(),
            Target = new Target { Http = new HttpTarget { Url = Target.Url("/ok") } },
            Consumer = new ConsumerSettings { Concurrency = 8, BatchSize = 200 },
        };
        await First.CreateClient().Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        await Eventually.WaitAsync(
            () => First.Logged("Rebalance", "assigned", $"wal.{Namespace}[") && Second.Logged("Rebalance", "assigned", $"wal.{Namespace}["),
            TimeSpan.FromSeconds(60),
            "both processes to be assigned partitions");

        await FailoverUnderLoad.RunAsync(First, Second, Namespace, Target);
    }

    protected override void Configure(ServerProcess server)
    {
        foreach (var (key, value) in _kafka.ServerSettings())
        {
            server.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }
    }
}
