using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// Two real server processes consume one SQS namespace's queue (standard, then FIFO) on a PostgreSQL control plane and
/// the SQS emulator.
/// One is killed under load; the other goes on taking writes, and what the killed one had received comes back to it
/// once its visibility timeout (short here) runs out.
/// </summary>
public sealed class SqsFailoverProcessTests() : TwoProcessTest("sqs")
{
    private const string Namespace = "failover";
    private SqsEmulator _sqs = null!;

    public override async ValueTask InitializeAsync()
    {
        _sqs = await SqsEmulator.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _sqs.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WhenOneOfTwoProcessesIsKilledTheOtherDeliversEveryDurableWrite(bool fifo)
    {
        FailoverUnderLoad.Step($"1. start two processes on one control plane and one emulator; create an SQS namespace ({(fifo ? "FIFO" : "standard")} queue) with a 5 s visibility timeout");
        await Task.WhenAll(First.StartAsync(), Second.StartAsync());
        var config = new NamespaceConfig
        {
            Name = Namespace,
            Sqs = new SqsBackend { VisibilityTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)), Fifo = fifo },
            Target = new Target { Http = new HttpTarget { Url = Target.Url("/ok") } },
            Consumer = new ConsumerSettings { Concurrency = 8 },
        };
        await First.CreateClient().Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        await Task.WhenAll(WarmUpAsync(First), WarmUpAsync(Second));

        await FailoverUnderLoad.RunAsync(First, Second, Namespace, Target);
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
        await Target.WaitForAppliedAsync(id, TimeSpan.FromSeconds(30));
    }

    protected override void Configure(ServerProcess server)
    {
        server.Environment["Wal__Sqs__ServiceUrl"] = _sqs.ServiceUrl;
        server.Environment["Wal__Sqs__Region"] = "us-east-1";
        server.Environment["AWS_ACCESS_KEY_ID"] = "test";
        server.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
    }
}
