using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// Two real server processes share a Kafka namespace's partitions (one consumer group) on a PostgreSQL control plane
/// and librdkafka's mock cluster. One is killed under load; the other takes its partitions over.
/// </summary>
public sealed class KafkaFailoverProcessTests : IAsyncLifetime
{
    private const string Namespace = "failover";
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-kafka-").FullName;
    private MockKafkaCluster _kafka = null!;
    private PostgresServer _postgres = null!;
    private HttpTargetServer _target = null!;
    private ServerProcess _first = null!;
    private ServerProcess _second = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _kafka = new MockKafkaCluster();
        _postgres = await PostgresServer.StartAsync();
        _target = await HttpTargetServer.StartAsync();
        var connectionString = await _postgres.CreateDatabaseAsync("kafka");
        _first = OnKafka("first", connectionString);
        _second = OnKafka("second", connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _target.DisposeAsync();
        await _postgres.DisposeAsync();
        _kafka.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task WhenOneOfTwoProcessesIsKilledTheOtherDeliversEveryDurableWrite()
    {
        FailoverUnderLoad.Step("1. start two processes on one control plane and one cluster; create a Kafka namespace with 4 partitions");
        await Task.WhenAll(_first.StartAsync(), _second.StartAsync());
        _kafka.CreateNamespaceTopics(Namespace, partitions: 4);
        var config = new NamespaceConfig
        {
            Name = Namespace,
            Kafka = new KafkaBackend(),
            Target = new Target { Http = new HttpTarget { Url = _target.Url("/ok") } },
            Consumer = new ConsumerSettings { Concurrency = 8, BatchSize = 200 },
        };
        await _first.CreateClient().Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        await Eventually.WaitAsync(
            () => _first.Logged("Rebalance", "assigned", $"wal.{Namespace}[") && _second.Logged("Rebalance", "assigned", $"wal.{Namespace}["),
            TimeSpan.FromSeconds(60),
            "both processes to be assigned partitions");

        await FailoverUnderLoad.RunAsync(_first, _second, Namespace, _target);
    }

    private ServerProcess OnKafka(string name, string connectionString)
    {
        var server = new ServerProcess(Directory.CreateDirectory(Path.Combine(_folder, name)).FullName);
        server.Environment["Wal__ControlPlane__Provider"] = "postgres";
        server.Environment["ConnectionStrings__ControlPlane"] = connectionString;
        foreach (var (key, value) in _kafka.ServerSettings())
        {
            server.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }

        return server;
    }
}
