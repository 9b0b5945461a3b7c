using Google.Protobuf;
using StackExchange.Redis;
using WalService.Api.V1;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>
/// docs/examples/cache-replicated.json and cache-from-eu.json as the docs set them up: three servers on real listeners
/// stand for the regions eu, us and ap, each with a Redis database of its own; eu replicates its cache to the others
/// through their <c>cache-from-eu</c> namespaces.
/// </summary>
public sealed class ReplicatedCacheExampleTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly List<RemoteWalServer> _servers = [];
    private readonly List<string> _folders = [];
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _reader = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _reader = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        await _reader.DisposeAsync();
        await _redis.DisposeAsync();
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AWriteInEuReachesTheRedisOfEveryRegion()
    {
        var us = Region(database: 1, remotes: []);
        var ap = Region(database: 2, remotes: []);
        var eu = Region(database: 0, remotes: [("us", us.Address), ("ap", ap.Address)]);
        foreach (var region in new[] { us, ap })
        {
            await region.Client().Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = Example("cache-from-eu.json") }, cancellationToken: Ct);
        }

        var wal = eu.Client();
        await wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = Example("cache-replicated.json") }, cancellationToken: Ct);
        var batch = new CacheMutationBatch { Mutations = { new CacheMutation { Key = "greeting", SetValue = ByteString.CopyFromUtf8("hello") } } };
        var written = await wal.WriteAsync("cache", batch.ToByteArray(), cancellationToken: Ct);

        var values = await Eventually.WaitAsync(
            async () =>
            {
                var read = new List<string?>();
                foreach (var database in new[] { 0, 1, 2 })
                {
                    read.Add(await _reader.GetDatabase(database).StringGetAsync("greeting"));
                }

                return read.All(v => v == "hello") ? read : null;
            },
            Deadline,
            "the value in the Redis database of every region");
        var status = await Eventually.WaitAsync(
            async () =>
            {
                var read = await wal.GetStatusAsync("cache", written.MessageId, Ct);
                return read.State == MessageState.Applied ? read : null;
            },
            Deadline,
            "the message to be applied in every region");

        Assert.Equal(3, values.Count);
        Assert.Equal(["eu", "us", "ap"], status.Regions.Select(r => r.Region));
        Assert.All(status.Regions, r => Assert.Equal((MessageState.Applied, 1), (r.State, r.Attempts)));
    }

    private static NamespaceConfig Example(string file) =>
        JsonParser.Default.Parse<NamespaceConfig>(File.ReadAllText(RepositoryRoot.File("docs", "examples", file)));

    private RemoteWalServer Region(int database, (string Name, Uri Address)[] remotes)
    {
        var folder = Directory.CreateTempSubdirectory("wal-region-").FullName;
        _folders.Add(folder);
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Wal:Redis:default:Configuration"] = $"{_redis.Configuration},defaultDatabase={database}",
        };
        foreach (var (name, address) in remotes)
        {
            settings[$"Wal:Remotes:{name}:Address"] = address.ToString();
        }

        var server = new RemoteWalServer(RemoteWalServer.FreePort(), folder, settings!);
        _servers.Add(server);
        return server;
    }
}
