using Google.Protobuf;
using WalService.Api.V1;
using WalService.Bench;

namespace WalService.PeerBench;

/// <summary>
/// WalService as a peer: its server process (started from the built dll, as the bench's <c>--start-server</c> does),
/// a namespace on the embedded log with an <c>http</c> target on loopback in this process (the bench's
/// <see cref="TimingTarget"/>), and producers that call <c>WriteToLog</c> over gRPC, one message a call, spread over
/// four HTTP/2 connections. With a connection string the server's control plane is on PostgreSQL.
/// </summary>
internal sealed class WalServicePeer : IPeerSystem
{
    private const string Namespace = "peer";
    private readonly ServerProcess _server;
    private readonly TimingTarget _target;
    private readonly ChannelSet _channels;
    private int _forgottenDeliveries;
    private int _forgottenReceipts;

    private WalServicePeer(ServerProcess server, TimingTarget target, ChannelSet channels)
    {
        _server = server;
        _target = target;
        _channels = channels;
    }

    public string Producers => "gRPC WriteToLog from the bench process, one message a call, 4 HTTP/2 connections; http target on loopback in the bench process";

    public int Deliveries => _target.Applied(Namespace) - _forgottenDeliveries;

    public static async Task<WalServicePeer> StartAsync(PeerSettings settings, string? controlPlane, CancellationToken cancellationToken)
    {
        var config = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (controlPlane is not null)
        {
            config["Wal:ControlPlane:Provider"] = "postgres";
            config["ConnectionStrings:ControlPlane"] = controlPlane;
        }

        var server = await ServerProcess.StartAsync(settings.ServerDll!, config, cancellationToken);
        var target = await TimingTarget.StartAsync();
        var channels = new ChannelSet(server.GrpcAddress, 4);
        var admin = new NamespaceAdmin.NamespaceAdminClient(channels.For(0));
        await admin.CreateNamespaceAsync(
            new CreateNamespaceRequest
            {
                Config = new NamespaceConfig
                {
                    Name = Namespace,
                    Embedded = new EmbeddedBackend(),
                    Target = new Target { Http = new HttpTarget { Url = target.Url(Namespace) } },
                    Consumer = new ConsumerSettings { Concurrency = settings.HandlerConcurrency },
                },
            },
            cancellationToken: cancellationToken);
        return new WalServicePeer(server, target, channels);
    }

    public async Task<bool> EnqueueAsync(int caller, long sequence, long dueUnixMicroseconds, byte[] payload, CancellationToken cancellationToken)
    {
        var log = new WriteAheadLog.WriteAheadLogClient(_channels.For(caller));
        var reply = await log.WriteToLogAsync(
            new WriteToLogRequest
            {
                Namespace = Namespace,
                Payload = ByteString.CopyFrom(payload),
                Lifecycle = new Lifecycle { DeliverAt = TimingPayload.Timestamp(dueUnixMicroseconds) },
            },
            cancellationToken: cancellationToken);
        return reply.Durable == Trilean.True;
    }

    public void ForgetDeliveries()
    {
        ArrivalLog.Current.Reset();
        _forgottenReceipts = _target.For(Namespace).Count;
        _forgottenDeliveries = _target.Applied(Namespace);
    }

    public void CollectArrivals(ArrivalLog log)
    {
        foreach (var receipt in _target.For(Namespace).Skip(_forgottenReceipts).Where(r => r.Status == 200))
        {
            log.Record(receipt.Sequence, receipt.ReceivedUnixMicroseconds);
        }
    }

    public TimeSpan? ServerCpu()
    {
        _server.Process.Refresh();
        return _server.Process.TotalProcessorTime;
    }

    public long? ServerPeakBytes() => _server.PeakRssBytes();

    public async ValueTask DisposeAsync()
    {
        _channels.Dispose();
        await _server.DisposeAsync();
        await _target.DisposeAsync();
    }
}
