using System.Globalization;
using StackExchange.Redis;
using WalService.Client;
using WalService.LocalBackends;

namespace WalService.ProcessTests;

/// <summary>
/// One region of a replication test: a real server process with a data folder of its own and a Redis of its own, the
/// server's <c>default</c> Redis endpoint. The process can be killed and started again on the same data and ports while
/// the region's Redis keeps running, as a region's cache does while its WalService restarts.
/// </summary>
public sealed class RegionProcess : IAsyncDisposable
{
    private readonly string _folder;
    private readonly ConnectionMultiplexer _reader;

    private RegionProcess(string name, string folder, RedisServer redis, ConnectionMultiplexer reader)
    {
        (Name, _folder, Redis, _reader) = (name, folder, redis, reader);
        Server = new ServerProcess(folder);
        Server.Environment["Wal__Redis__default__Configuration"] = redis.Configuration;
    }

    public string Name { get; }

    public ServerProcess Server { get; }

    public RedisServer Redis { get; }

    public WalClient Client => Server.CreateClient();

    /// <summary>A region whose Redis is running and whose server is configured but not started.</summary>
    public static async Task<RegionProcess> CreateAsync(string name)
    {
        var folder = Directory.CreateTempSubdirectory($"wal-region-{name}-").FullName;
        var redis = await RedisServer.StartAsync();
        var reader = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        return new RegionProcess(name, folder, redis, reader);
    }

    /// <summary>
    /// Names <paramref name="remote"/>'s server as a remote of this one (<c>Wal:Remotes:&lt;name&gt;</c>), with a
    /// deadline per call when one is given; before this server starts.
    /// </summary>
    public void AddRemote(RegionProcess remote, TimeSpan? deadline = null)
    {
        ArgumentNullException.ThrowIfNull(remote);
        Server.Environment[$"Wal__Remotes__{remote.Name}__Address"] = remote.Server.GrpcAddress.ToString();
        if (deadline is { } d)
        {
            Server.Environment[$"Wal__Remotes__{remote.Name}__Deadline"] = d.ToString("c", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The values of <paramref name="keys"/> in this region's Redis, read in one MGET; null where a key is absent.</summary>
    public async Task<string?[]> ReadAsync(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var values = await _reader.GetDatabase().StringGetAsync(keys.Select(k => (RedisKey)k).ToArray());
        return values.Select(v => (string?)v).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await _reader.DisposeAsync();
        await Redis.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
