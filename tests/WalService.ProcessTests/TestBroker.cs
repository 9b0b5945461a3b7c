using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.LocalBackends;

namespace WalService.ProcessTests;

/// <summary>
/// The broker a process test's namespace logs to, hosted by the test process so it outlives the servers: librdkafka's
/// mock cluster (<c>kafka</c>) or the SQS emulator (<c>sqs</c>), so one test body runs on both.
/// </summary>
internal sealed class TestBroker : IAsyncDisposable
{
    private readonly MockKafkaCluster? _kafka;
    private readonly SqsEmulator? _sqs;

    private TestBroker(MockKafkaCluster? kafka, SqsEmulator? sqs)
    {
        _kafka = kafka;
        _sqs = sqs;
    }

    /// <summary>The mock cluster, on <c>kafka</c>.</summary>
    public MockKafkaCluster Kafka => _kafka ?? throw new InvalidOperationException("not a Kafka broker");

    public static async Task<TestBroker> StartAsync(string kind) => kind switch
    {
        "kafka" => new TestBroker(new MockKafkaCluster(), null),
        "sqs" => new TestBroker(null, await SqsEmulator.StartAsync()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "kafka or sqs"),
    };

    /// <summary>Points a server process at the broker.</summary>
    public void Configure(ServerProcess server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (_kafka is not null)
        {
            foreach (var (key, value) in _kafka.ServerSettings())
            {
                server.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
            }

            return;
        }

        server.Environment["Wal__Sqs__ServiceUrl"] = _sqs!.ServiceUrl;
        server.Environment["Wal__Sqs__Region"] = "us-east-1";
        server.Environment["AWS_ACCESS_KEY_ID"] = "test";
        server.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
    }

    /// <summary>
    /// Makes <paramref name="config"/> a namespace on the broker: two partitions (created here, as the mock cluster
    /// does not serve CreateTopics), or a standard queue whose messages come back 5 s after a consumer died with them.
    /// </summary>
    public NamespaceConfig OnBroker(NamespaceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (_kafka is not null)
        {
            _kafka.CreateNamespaceTopics(config.Name, partitions: 2);
            config.Kafka = new KafkaBackend();
        }
        else
        {
            config.Sqs = new SqsBackend { VisibilityTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) };
        }

        return config;
    }

    public async ValueTask DisposeAsync()
    {
        _kafka?.Dispose();
        if (_sqs is not null)
        {
            await _sqs.DisposeAsync();
        }
    }
}
