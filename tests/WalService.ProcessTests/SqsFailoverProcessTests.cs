using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// Two real server processes consume one SQS namespace's queue (standard, then FIFO) on a PostgreSQL control plane and
/// the SQS emulator.
/// One is killed under load; the other goes on taking writes, and what the killed one had received comes back to it
/// once its visibility timeout (short here) runs out.
/// </summary>
public sealed class SqsFailoverProcessTests : IAsyncLifetime
{
    private const string Namespace = "failover";
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WhenOneOfTwoProcessesIsKilledTheOtherDeliversEveryDurableWrite(bool fifo)
    {
        FailoverUnderLoad.Step($"1. start two processes on one control plane and one emulator; create an SQS namespace ({(fifo ? "FIFO" : "standard")} queue) with a 5 s visibility timeout");
        await Task.WhenAll(_first.StartAsync(), _second.StartAsync());
        var config = new NamespaceConfig
        {
            Name = Namespace,
            Sqs = new SqsBackend { VisibilityTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)), Fifo = fifo },
            Target = new Target { Http = new HttpTarget { Url = _target.Url("/ok") } },
            Consumer = new ConsumerSettings { Concurrency = 8 },
        };
        await _first.CreateClient().Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        await Task.WhenAll(WarmUpAsync(_first), WarmUpAsync(_second));

        await FailoverUnderLoad.RunAsync(_first, _second, Namespace, _target);
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
