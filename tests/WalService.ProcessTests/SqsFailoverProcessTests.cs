using System.Collections.Concurrent;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// Two real server processes consume one SQS namespace's queue on a PostgreSQL control plane and the SQS emulator.
/// One is killed under load; the other goes on taking writes, and what the killed one had received comes back to it
/// once its visibility timeout (short here) runs out.
/// </summary>
public sealed class SqsFailoverProcessTests : IAsyncLifetime
{
    private const string Namespace = "failover";
    private const int Writers = 8;
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-sqs-").FullName;
    private SqsEmulator _sqs = null!;
    private PostgresServer _postgres = null!;
    private HttpTargetServer _target = null!;
    private ServerProcess _first = null!;
    private ServerProcess _second = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _sqs = await SqsEmulator.StartAsync();
        _postgres = await PostgresServer.StartAsync();
        _target = await HttpTargetServer.StartAsync();
        var connectionString = await _postgres.CreateDatabaseAsync("sqs");
        _first = OnSqs("first", connectionString);
        _second = OnSqs("second", connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _target.DisposeAsync();
        await _postgres.DisposeAsync();
        await _sqs.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task WhenOneOfTwoProcessesIsKilledTheOtherDeliversEveryDurableWrite()
    {
        Step("1. start two processes on one control plane and one emulator; create an SQS namespace with a 5 s visibility timeout");
        await Task.WhenAll(_first.StartAsync(), _second.StartAsync());
        var config = new NamespaceConfig
        {
            Name = Namespace,
            Sqs = new SqsBackend { VisibilityTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) },
            Target = new Target { Http = new HttpTarget { Url = _target.Url("/ok") } },
            Consumer = new ConsumerSettings { Concurrency = 8 },
        };
        await _first.CreateClient().Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        await Task.WhenAll(WarmUpAsync(_first), WarmUpAsync(_second));

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

        Step("4. the second receives what the first had in flight once it is visible again, and every acknowledged message reaches the target");
        await Eventually.WaitAsync(() => acknowledged.Keys.All(Applied), TimeSpan.FromSeconds(120), "every acknowledged message to be applied");
        Assert.True(atKill >= 1_000, $"only {atKill} writes were acknowledged before the kill");
        Assert.True(acknowledged.Count > atKill, "no write was acknowledged after the kill");
        foreach (var (id, payload) in acknowledged)
        {
            Assert.Contains(_target.For(id), r => Encoding.UTF8.GetString(r.Body) == payload);
        }

        Step($"   all {acknowledged.Count} delivered; {_target.Received.Count - acknowledged.Count - 2} redeliveries (at-least-once)");
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

    /// <summary>Waits until a write through <paramref name="server"/> is acknowledged and delivered: it knows the namespace and consumes.</summary>
    private async Task WarmUpAsync(ServerProcess server)
    {
        var client = server.CreateClient();
        var id = await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    var response = await client.WriteAsync(Namespace, Encoding.UTF8.GetBytes("warm-up"), cancellationToken: Ct);
                    return response.Durable == Trilean.True ? response.MessageId : null;
                }
                catch (RpcException)
                {
                    return null;
                }
            },
            TimeSpan.FromSeconds(30),
            "a write to be acknowledged");
        await _target.WaitForAppliedAsync(id, TimeSpan.FromSeconds(30));
    }

    private bool Applied(string id) => _target.For(id).Any(r => r.AnsweredStatus == 200);

    private ServerProcess OnSqs(string name, string connectionString)
    {
        var server = new ServerProcess(Directory.CreateDirectory(Path.Combine(_folder, name)).FullName);
        server.Environment["Wal__ControlPlane__Provider"] = "postgres";
        server.Environment["ConnectionStrings__ControlPlane"] = connectionString;
        server.Environment["Wal__Sqs__ServiceUrl"] = _sqs.ServiceUrl;
        server.Environment["Wal__Sqs__Region"] = "us-east-1";
        server.Environment["AWS_ACCESS_KEY_ID"] = "test";
        server.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        return server;
    }
}
