using StackExchange.Redis;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>
/// A real redis-server on a loopback port, the in-process server configured with it as <c>Wal:Redis:default</c> and
/// <c>Wal:Redis:cache</c>, and a client of its own to read back what deliveries wrote.
/// </summary>
public sealed class RedisTargetServer : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;

    public WalServerFactory Server { get; } = new();

    /// <summary>Reads the Redis directly; reconnects by itself after the Redis is halted and resumed.</summary>
    public IDatabase Database { get; private set; } = null!;

    private ConnectionMultiplexer _client = null!;

    public async ValueTask InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        Server.Settings["Wal:Redis:default:Configuration"] = Redis.Configuration;
        Server.Settings["Wal:Redis:cache:Configuration"] = Redis.Configuration;
        _client = await ConnectionMultiplexer.ConnectAsync(Redis.Configuration);
        Database = _client.GetDatabase();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await _client.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
