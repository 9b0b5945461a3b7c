using System.Collections.Concurrent;
using System.Text;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// Two real server processes share a Kafka namespace's partitions (one consumer group) on a PostgreSQL control plane
/// and librdkafka's mock cluster. One is killed under load; the other takes its partitions over.
/// </summary>
public sealed class KafkaFailoverProcessTests : IAsyncLifetime
{
    private const string Namespace = "failover";
    private const int Writers = 8;
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
        Step("1. start two processes on one control plane and one cluster; create a Kafka namespace with 4 partitions");
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

        Step($"2. {Writers} writers, half on each process, write until 2,000 writes are acknowledged; then the first is killed with SIGKILL");
        var acknowledged = new ConcurrentDictionary<string, string>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers)
            .Select(w => WriteUntilStoppedAsync(w % 2 == 0 ? _first.CreateClient() : _second.CreateClient(), w, acknowledged, stop.Token))
            .ToList();
        await Eventually.WaitAsync(() => acknowledged.Count >= 2_000 || writers.All(t => t.IsCompleted), TimeSpan.FromSeconds(60), "2,000 acknowledged writes");
        await _first.KillAsync();
        var atKill = acknowledged.Count;

        Step("3. the second process goes on taking writes; then the writers stop");
        await Eventually.WaitAsync(() => acknowledged.Count >= atKill + 500 || writers.All(t => t.IsCompleted), TimeSpan.FromSeconds(60), "500 more acknowledged writes");
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        Step($"   {atKill} acknowledged before the kill, {acknowledged.Count} in all");

        Step("4. the second takes the first's partitions over and every acknowledged message reaches the target");
        await Eventually.WaitAsync(() => acknowledged.Keys.All(Applied), TimeSpan.FromSeconds(120), "every acknowledged message to be applied");
        Assert.True(atKill >= 1_000, $"only {atKill} writes were acknowledged before the kill");
        Assert.True(acknowledged.Count > atKill, "no write was acknowledged after the kill");
        foreach (var (id, payload) in acknowledged)
        {
            Assert.Contains(_target.For(id), r => Encoding.UTF8.GetString(r.Body) == payload);
        }

        Step($"   all {acknowledged.Count} delivered; {_target.Received.Count - acknowledged.Count} redeliveries (at-least-once)");
    }

    private static void Step(string text) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {text}");

    private static async Task<int> WriteUntilStoppedAsync(WalClient client, int writer, ConcurrentDictionary<string, string> acknowledged, CancellationToken stop)
    {
        var written = 0;
        for (var i = 0; i < 5_000 && !stop.IsCancellationRequested; i++)
        {
            var payload = $"w{writer}-{i}";
            try
            {
                var response = await client.WriteAsync(Namespace, Encoding.UTF8.GetBytes(payload), cancellationToken: CancellationToken.None);
                if (response.Durable == Trilean.True)
                {
                    acknowledged[response.MessageId] = payload;
                    written++;
                }
            }
            catch (RpcException)
            {
                break;
            }
        }

        return written;
    }

    private bool Applied(string id) => _target.For(id).Any(r => r.AnsweredStatus == 200);

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
