using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Client;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>
/// A second instance on the same PostgreSQL control plane (so the same message ledger) joins a namespace's consumer
/// group while messages flow. On the mock cluster a commit fails while the group rebalances, so records the first
/// instance finished may be read again by the second: the ledger tells it they are done.
/// </summary>
public sealed class KafkaRebalanceTests : IAsyncLifetime
{
    private const int JoinAfter = 100;
    private const int MaxMessages = 3_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private PostgresServer _postgres = null!;
    private HttpTargetServer _target = null!;
    private WalServerFactory _first = null!;
    private WalServerFactory _second = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _target = await HttpTargetServer.StartAsync();
        var connectionString = await _postgres.CreateDatabaseAsync("rebalance");
        _first = OnSharedControlPlane(connectionString);
        _second = OnSharedControlPlane(connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        await _target.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task WhenASecondInstanceJoinsNoMessageIsLostOrAppliedTwice()
    {
        var name = $"rebalance-{Guid.NewGuid().ToString("N")[..6]}";
        KafkaServer.Cluster.CreateNamespaceTopics(name, partitions: 4);
        var first = _first.CreateWalClient();
        await first.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = Config(name) }, cancellationToken: Ct);
        await _target.WaitForAppliedAsync(await WriteAsync(first, name, "warm-up"), Deadline);

        var ids = new List<string>();
        while (ids.Count < MaxMessages && (ids.Count <= JoinAfter || await PartitionsAsync(_second, name) == 0))
        {
            ids.Add(await WriteAsync(first, name, $"m{ids.Count}"));
            if (ids.Count == JoinAfter)
            {
                // Starting the second instance: it reads the namespace from the control plane and joins the group.
                _second.CreateWalClient();
            }
        }

        for (var i = 0; i < 200; i++)
        {
            ids.Add(await WriteAsync(first, name, $"after-{i}"));
        }

        await Eventually.WaitAsync(() => ids.All(id => _target.For(id).Count > 0), Deadline, "every message to be applied");
        var twice = ids.Where(id => _target.For(id).Count > 1).ToList();
        Assert.True(twice.Count == 0, $"{twice.Count} of {ids.Count} message(s) applied twice");
        Assert.InRange(await PartitionsAsync(_second, name), 1, 7);
        Assert.InRange(await PartitionsAsync(_first, name), 1, 7);
    }

    private static async Task<string> WriteAsync(WalClient wal, string ns, string payload)
    {
        var response = await wal.WriteAsync(ns, System.Text.Encoding.UTF8.GetBytes(payload), cancellationToken: Ct);
        Assert.True(response.Durable == Trilean.True, $"write answered {response.Durable}: {response.Message}");
        return response.MessageId;
    }

    /// <summary>How many partitions of the namespace the instance consumes, as its <c>/readyz</c> says.</summary>
    private static async Task<int> PartitionsAsync(WalServerFactory server, string ns)
    {
        using var http = server.CreateClient();
        using var ready = JsonDocument.Parse(await http.GetStringAsync(new Uri("/readyz", UriKind.Relative), Ct));
        var state = ready.RootElement.GetProperty("checks").GetProperty("wal").GetProperty("namespaces").TryGetProperty(ns, out var value)
            ? value.GetString()!
            : string.Empty;
        return state.StartsWith("ready: consuming ", StringComparison.Ordinal)
            ? int.Parse(state.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture)
            : 0;
    }

    private NamespaceConfig Config(string name) => new()
    {
        Name = name,
        Kafka = new KafkaBackend(),
        Target = new Target { Http = new HttpTarget { Url = _target.Url("/ok"), Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } },
    };

    private static WalServerFactory OnSharedControlPlane(string connectionString)
    {
        var factory = new WalServerFactory();
        foreach (var (key, value) in KafkaServer.Cluster.ServerSettings())
        {
            factory.Settings[key] = value;
        }

        factory.Settings["Wal:ControlPlane:Provider"] = "postgres";
        factory.Settings["ConnectionStrings:ControlPlane"] = connectionString;
        return factory;
    }
}
