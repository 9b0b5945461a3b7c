using System.Globalization;
using Grpc.Core;
using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>
/// What every timing mode shares: the server's clients, the target in the bench, the Kafka cluster (whose topics the
/// bench makes on the mock) and the namespaces the mode created, deleted at the end.
/// </summary>
internal sealed class TimingContext : IDisposable
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(10);
    private readonly ChannelSet _channels;
    private readonly BenchCluster? _cluster;
    private readonly List<string> _created = [];
    private readonly string _stamp = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);

    public TimingContext(BenchSettings settings, TimingTarget target, BenchCluster? cluster)
    {
        Settings = settings;
        Target = target;
        _cluster = cluster;
        _channels = new ChannelSet(settings.Address, settings.Connections);
        Admin = new NamespaceAdmin.NamespaceAdminClient(_channels.For(0));
        Log = new WriteAheadLog.WriteAheadLogClient(_channels.For(0));
    }

    public BenchSettings Settings { get; }

    public TimingTarget Target { get; }

    public NamespaceAdmin.NamespaceAdminClient Admin { get; }

    public WriteAheadLog.WriteAheadLogClient Log { get; }

    /// <summary>The backend the namespaces use, for the report's title.</summary>
    public string Backend => Settings.IsKafka ? (Settings.KafkaMock ? "Kafka (mock cluster)" : "Kafka")
        : Settings.IsSqs ? (Settings.SqsEmulator ? "SQS (emulator)" : "SQS")
        : "embedded";

    /// <summary>Whether the namespaces are on Kafka, whose targets for a new namespace and a resume are looser.</summary>
    public bool IsKafka => Settings.IsKafka;

    /// <summary>The log client of loop <paramref name="loop"/>, spread over the run's connections.</summary>
    public WriteAheadLog.WriteAheadLogClient LogFor(int loop) => new(_channels.For(loop));

    /// <summary>A fresh namespace name for this run: <c>&lt;namespace&gt;-&lt;mode&gt;-&lt;HHmmss&gt;-&lt;n&gt;</c>.</summary>
    public string NewName(string mode, int n) => $"{Settings.Namespace}-{mode}-{_stamp}-{n.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Creates namespace <paramref name="name"/> on the run's backend with the bench's target (<c>/{name}/ok</c>, or
    /// <c>/{name}/fail-once</c> with <paramref name="failOnce"/>) and the run's consumer settings, and returns the
    /// wall clock (microseconds since 1970) when CreateNamespace returned. On the Kafka mock its topics are made first.
    /// </summary>
    public async Task<long> CreateNamespaceAsync(string name, CancellationToken cancellationToken, bool fifo = false, bool failOnce = false, RetryPolicy? retry = null)
    {
        var config = new NamespaceConfig
        {
            Name = name,
            Target = new Target { Http = new HttpTarget { Url = Target.Url(name, failOnce) } },
            Consumer = new ConsumerSettings { Concurrency = Settings.ConsumerConcurrency, BatchSize = Settings.ConsumerBatchSize },
            TrackStatus = Settings.TrackStatus,
        };
        if (retry is not null)
        {
            config.Retry = retry;
        }

        BenchNamespace.SetBackend(config, Settings, fifo);
        if (Settings.IsKafka)
        {
            _cluster?.PrepareNamespaceTopics(name, Settings.KafkaPartitions);
        }

        await Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: cancellationToken);
        var created = TimingPayload.NowMicroseconds();
        _created.Add(name);
        return created;
    }

    /// <summary>One message to <paramref name="ns"/>: number <paramref name="sequence"/>, due now (or at <paramref name="dueUnixMicroseconds"/>).</summary>
    public static WriteToLogRequest Message(string ns, long sequence, long? dueUnixMicroseconds = null, string? orderingKey = null)
    {
        var request = new WriteToLogRequest { Namespace = ns, Payload = TimingPayload.Of(sequence, dueUnixMicroseconds ?? TimingPayload.NowMicroseconds()) };
        if (dueUnixMicroseconds is { } due)
        {
            request.Lifecycle = new Lifecycle { DeliverAt = TimingPayload.Timestamp(due) };
        }

        if (orderingKey is not null)
        {
            request.OrderingKey = orderingKey;
        }

        return request;
    }

    /// <summary>Polls <paramref name="done"/> every 10 ms until it holds or the wall clock passes <paramref name="deadlineUnixMicroseconds"/>; whether it held.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> done, long deadlineUnixMicroseconds, CancellationToken cancellationToken)
    {
        while (!done())
        {
            if (TimingPayload.NowMicroseconds() >= deadlineUnixMicroseconds)
            {
                return false;
            }

            await Task.Delay(PollEvery, cancellationToken);
        }

        return true;
    }

    /// <summary>Deletes the namespaces this run created (their queues and topics are left to the cluster or endpoint).</summary>
    public async Task DeleteCreatedAsync()
    {
        foreach (var name in _created)
        {
            try
            {
                await Admin.DeleteNamespaceAsync(new DeleteNamespaceRequest { Name = name });
            }
            catch (RpcException)
            {
                // Left on a running server; the report does not depend on it.
            }
        }
    }

    public void Dispose() => _channels.Dispose();
}
