using WalService.Api.V1;
using WalService.Client;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// A delivery begun before a crash counts as an attempt on Kafka as on SQS: the server process is killed (SIGKILL)
/// while the target holds a message's first delivery, and the process started after it on the same data folder reads
/// the record again from the committed offset and delivers it as attempt 2. Runs on librdkafka's mock cluster, hosted
/// by the test process so it outlives the server.
/// </summary>
public sealed class KafkaCrashAttemptProcessTests : IAsyncLifetime
{
    private const string Namespace = "crash-attempts";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(45);
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-process-").FullName;
    private MockKafkaCluster _kafka = null!;
    private HttpTargetServer _target = null!;
    private ServerProcess _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _kafka = new MockKafkaCluster();
        _target = await HttpTargetServer.StartAsync();
        _server = new ServerProcess(_folder);
        foreach (var (key, value) in _kafka.ServerSettings())
        {
            _server.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _target.DisposeAsync();
        _kafka.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AMessageWhoseDeliveryWasUnderWayWhenTheServerWasKilledArrivesAgainAsAttemptTwo()
    {
        try
        {
            // Arrange: a namespace whose target holds every delivery for a minute (it records each on arrival).
            await _server.StartAsync();
            _kafka.CreateNamespaceTopics(Namespace, partitions: 1);
            var held = new HttpTarget { Url = _target.Url("/slow/60000"), Timeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMinutes(2)) };
            await _server.CreateClient().Admin.CreateNamespaceAsync(
                new CreateNamespaceRequest { Config = new NamespaceConfig { Name = Namespace, Kafka = new KafkaBackend(), Target = new Target { Http = held } } },
                cancellationToken: Ct);
            var answer = await _server.CreateClient().WriteAsync(Namespace, "held"u8.ToArray(), new WalWriteOptions(), Ct);
            Assert.Equal(Trilean.True, answer.Durable);
            var id = answer.MessageId;
            await Eventually.WaitAsync(() => _target.For(id).Count == 1, Generous, "the first delivery to reach the target");
            await Eventually.WaitAsync(
                async () => (await _server.CreateClient().GetStatusAsync(Namespace, id, Ct)).State == MessageState.InFlight,
                Generous,
                "the message's status to read IN_FLIGHT");

            // Act: kill the server while the target holds the delivery, and start it again on the same folder.
            await _server.KillAsync();
            await _server.StartAsync();
            await Eventually.WaitAsync(() => _target.For(id).Count >= 2, Generous, "the message to be delivered again after the restart");

            // Assert
            Assert.Equal([1, 2], _target.For(id).Select(r => r.Attempt).Take(2));
        }
        catch
        {
            TestContext.Current.TestOutputHelper?.WriteLine("server log tail:" + Environment.NewLine + _server.LogTail);
            throw;
        }
    }
}
