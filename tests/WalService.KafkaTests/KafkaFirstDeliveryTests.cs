using System.Diagnostics;
using WalService.Api.V1;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>A mock cluster of its own whose brokers do not hold a group's first join (<c>group.initial.rebalance.delay.ms</c> = 0), and a server on it.</summary>
public sealed class KafkaNoJoinDelayServer : IAsyncDisposable
{
    public KafkaNoJoinDelayServer()
    {
        Cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
        foreach (var (key, value) in Cluster.ServerSettings())
        {
            Factory.Settings[key] = value;
        }
    }

    public MockKafkaCluster Cluster { get; } = new();

    public WalServerFactory Factory { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        Cluster.Dispose();
    }
}

/// <summary>
/// Time to the first delivery of a new namespace is its consumer's group join and little more: on brokers that do not
/// hold a first join, a few hundred milliseconds. The measured time is written to the test output; the bound is generous.
/// </summary>
public sealed class KafkaFirstDeliveryTests(KafkaNoJoinDelayServer server) : WalServerTest(KafkaServerTest.Deadline), IClassFixture<KafkaNoJoinDelayServer>
{
    protected override WalServerFactory Factory => server.Factory;

    [Fact]
    public async Task ANewNamespaceDeliversItsFirstMessageSoonAfterItsCreationWhenTheBrokerDoesNotHoldTheJoin()
    {
        var config = TestNamespaces.Http($"nodelay-{Guid.NewGuid().ToString("N")[..8]}", Target.Url("/ok"), maxAttempts: 3);
        config.Kafka = new KafkaBackend();

        var clock = Stopwatch.StartNew();
        await CreateAsync(config);
        var id = await WriteDurableAsync(config.Name, "first");
        await Target.WaitForAppliedAsync(id, KafkaServerTest.Deadline);

        TestContext.Current.TestOutputHelper?.WriteLine($"first delivery {clock.ElapsedMilliseconds} ms after CreateNamespace");
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }
}
