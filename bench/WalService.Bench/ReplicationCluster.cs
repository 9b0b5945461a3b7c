using WalService.Api.V1;
using WalService.LocalBackends;

namespace WalService.Bench;

/// <summary>One region of the replication mode: its Redis and the server that applies to it.</summary>
internal sealed record ReplicationRegion(string Name, RedisServer Redis, ServerProcess Server);

/// <summary>
/// The three regions of the replication mode, each a Redis server and a WalService server of its own on this machine.
/// Regions b and c have one namespace, <see cref="Cache"/> (a <c>redis</c> target to their Redis). Region a, the one
/// the bench writes to, has <see cref="Single"/> (a <c>redis</c> target to a's Redis) and <see cref="Replicated"/>
/// (<c>replicate</c>: a to a's Redis, b and c through <c>wal</c> targets to their servers' <see cref="Cache"/>).
/// Disposing it stops the servers (SIGTERM by pid), then the Redis servers.
/// </summary>
internal sealed class ReplicationCluster : IAsyncDisposable
{
    public const string Single = "single";
    public const string Replicated = "replicated";
    public const string Cache = "cache";

    private static readonly string[] RegionNames = ["a", "b", "c"];

    private readonly List<RedisServer> _redis;
    private readonly List<ServerProcess> _servers;

    private ReplicationCluster(List<RedisServer> redis, List<ServerProcess> servers, IReadOnlyList<ReplicationRegion> regions)
    {
        _redis = redis;
        _servers = servers;
        Regions = regions;
    }

    /// <summary>a, b and c, in that order.</summary>
    public IReadOnlyList<ReplicationRegion> Regions { get; }

    /// <summary>Region a: the server the bench writes to.</summary>
    public ReplicationRegion Home => Regions[0];

    /// <summary>Starts the Redis servers, then the servers of b and c, then a's (which needs their addresses), and creates the namespaces.</summary>
    public static async Task<ReplicationCluster> StartAsync(BenchSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var dll = settings.StartServer ?? throw new InvalidOperationException("--mode replication needs --start-server");
        var redis = new List<RedisServer>();
        var servers = new List<ServerProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                redis.Add(await RedisServer.StartAsync());
            }

            foreach (var i in (int[])[1, 2])
            {
                servers.Add(await ServerProcess.StartAsync(dll, RedisConfig(redis[i]), cancellationToken));
            }

            var home = new Dictionary<string, string?>(RedisConfig(redis[0]))
            {
                ["Wal:Remotes:b:Address"] = servers[0].GrpcAddress.ToString().TrimEnd('/'),
                ["Wal:Remotes:c:Address"] = servers[1].GrpcAddress.ToString().TrimEnd('/'),
            };
            servers.Insert(0, await ServerProcess.StartAsync(dll, home, cancellationToken));
            var regions = RegionNames.Select((name, i) => new ReplicationRegion(name, redis[i], servers[i])).ToList();
            foreach (var region in regions)
            {
                output.WriteLine($"region {region.Name}: Redis on 127.0.0.1:{region.Redis.Port}, server pid {region.Server.Process.Id} (gRPC {region.Server.GrpcAddress}, ops {region.Server.OpsAddress})");
            }

            var cluster = new ReplicationCluster(redis, servers, regions);
            await cluster.CreateNamespacesAsync(settings, cancellationToken);
            return cluster;
        }
        catch
        {
            await StopAsync(servers, redis);
            throw;
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(_servers, _redis));

    private static Dictionary<string, string?> RedisConfig(RedisServer redis) => new() { ["Wal:Redis:default:Configuration"] = redis.Configuration };

    private static async Task StopAsync(List<ServerProcess> servers, List<RedisServer> redis)
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }

        foreach (var r in redis)
        {
            await r.DisposeAsync();
        }
    }

    private async Task CreateNamespacesAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var redis = new Target { Redis = new RedisTarget() };
        foreach (var region in Regions.Skip(1))
        {
            await CreateAsync(region, Config(Cache, redis, settings), cancellationToken);
        }

        var replicate = new ReplicateTarget
        {
            Regions =
            {
                new RegionTarget { Region = "a", Target = redis },
                new RegionTarget { Region = "b", Target = new Target { Wal = new WalTarget { Endpoint = "b", Namespace = Cache } } },
                new RegionTarget { Region = "c", Target = new Target { Wal = new WalTarget { Endpoint = "c", Namespace = Cache } } },
            },
        };
        await CreateAsync(Home, Config(Single, redis, settings), cancellationToken);
        await CreateAsync(Home, Config(Replicated, new Target { Replicate = replicate }, settings), cancellationToken);
    }

    private static NamespaceConfig Config(string name, Target target, BenchSettings settings) => new()
    {
        Name = name,
        Target = target,
        Consumer = new ConsumerSettings { Concurrency = settings.ConsumerConcurrency, BatchSize = settings.ConsumerBatchSize },
        TrackStatus = settings.TrackStatus,
        Embedded = new EmbeddedBackend(),
    };

    private static async Task CreateAsync(ReplicationRegion region, NamespaceConfig config, CancellationToken cancellationToken)
    {
        using var channels = new ChannelSet(region.Server.GrpcAddress, 1);
        var admin = new NamespaceAdmin.NamespaceAdminClient(channels.For(0));
        await admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: cancellationToken);
    }
}
