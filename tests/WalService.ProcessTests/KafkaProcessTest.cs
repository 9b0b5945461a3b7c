using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// A server process on librdkafka's mock cluster, hosted by the test process so it outlives the server, with an HTTP
/// target on loopback and a data folder of its own; the server's log tail is written out when a test fails.
/// </summary>
public abstract class KafkaProcessTest : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-process-").FullName;

    protected MockKafkaCluster Kafka { get; private set; } = null!;

    protected HttpTargetServer Target { get; private set; } = null!;

    protected ServerProcess Server { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Kafka = new MockKafkaCluster();
        Target = await HttpTargetServer.StartAsync();
        Server = new ServerProcess(_folder);
        foreach (var (key, value) in Kafka.ServerSettings())
        {
            Server.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Target.DisposeAsync();
        Kafka.Dispose();
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs <paramref name="test"/>, writing the server's log tail to the test output when it fails.</summary>
    protected async Task WithLogTailOnFailureAsync(Func<Task> test)
    {
        ArgumentNullException.ThrowIfNull(test);
        try
        {
            await test();
        }
        catch
        {
            TestContext.Current.TestOutputHelper?.WriteLine("server log tail:" + Environment.NewLine + Server.LogTail);
            throw;
        }
    }
}
