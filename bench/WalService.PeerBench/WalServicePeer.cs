using Google.Protobuf;
using WalService.Api.V1;
using WalService.Bench;
using WalService.Client;

namespace WalService.PeerBench;

/// <summary>
/// WalService as a peer: its server process (started from the built dll, as the bench's <c>--start-server</c> does),
/// a namespace on the embedded log with an <c>http</c> target on loopback in this process (the bench's
/// <see cref="TimingTarget"/>), and producers that call <c>WriteToLog</c> over gRPC, one message a call, spread over
/// four HTTP/2 connections; or, batched, through the .NET client's <see cref="WalBatchWriter"/>, which carries the
/// single writes of concurrent callers together in <c>WriteToLogBatch</c> calls. With a connection string the
/// server's control plane is on PostgreSQL.
/// </summary>
internal sealed class WalServicePeer : IPeerSystem
{
    private const string Namespace = "peer";
    private readonly ServerProcess _server;
    private readonly TimingTarget _target;
    private readonly ChannelSet _channels;
    private readonly WalBatchWriter? _writer;
    private int _forgottenDeliveries;
    private int _forgottenReceipts;

    private WalServicePeer(ServerProcess server, TimingTarget target, ChannelSet channels, bool batched)
    {
        _server = server;
        _target = target;
        _channels = channels;
        _writer = batched ? new WalBatchWriter(new WriteAheadLog.WriteAheadLogClient(channels.For(0))) : null;
    }

    public string Producers => _writer is null
        ? "gRPC WriteToLog from the bench process, one message a call, 4 HTTP/2 connections; http target on loopback in the bench process"
        : "one message a call into the .NET client's WalBatchWriter (WriteToLogBatch, 4 calls in flight, 1 HTTP/2 connection) from the bench process; http target on loopback in the bench process";

    public int Deliveries => _target.Applied(Namespace) - _forgottenDeliveries;

    public static async Task<WalServicePeer> StartAsync(PeerSettings settings, string? controlPlane, bool batched, CancellationToken cancellationToken)
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
        return new WalServicePeer(server, target, channels, batched);
    }

    public async Task<bool> EnqueueAsync(int caller, long sequence, long dueUnixMicroseconds, byte[] payload, CancellationToken cancellationToken)
    {
        var request = new WriteToLogRequest
        {
            Namespace = Namespace,
            Payload = ByteString.CopyFrom(payload),
            Lifecycle = new Lifecycle { DeliverAt = TimingPayload.Timestamp(dueUnixMicroseconds) },
        };
        var reply = _writer is null
            ? await new WriteAheadLog.WriteAheadLogClient(_channels.For(caller)).WriteToLogAsync(request, cancellationToken: cancellationToken)
            : await _writer.WriteAsync(request, cancellationToken);
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
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        _channels.Dispose();
        await _server.DisposeAsync();
        await _target.DisposeAsync();
    }
}
