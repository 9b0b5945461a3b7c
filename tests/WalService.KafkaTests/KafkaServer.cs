using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>One mock cluster for the whole lane, and per test class an in-process server whose cluster "default" is it.</summary>
public sealed class KafkaServer : IAsyncDisposable
{
    private static readonly Lazy<MockKafkaCluster> SharedCluster = new(() => new MockKafkaCluster());

    public KafkaServer()
    {
        foreach (var (key, value) in Cluster.ServerSettings())
        {
            Factory.Settings[key] = value;
        }
    }

    public static MockKafkaCluster Cluster => SharedCluster.Value;

    public WalServerFactory Factory { get; } = new();

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
