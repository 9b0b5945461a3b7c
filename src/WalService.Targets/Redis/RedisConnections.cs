using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace WalService.Targets.Redis;

/// <summary>
/// One <see cref="ConnectionMultiplexer"/> per configured Redis (<see cref="RedisTargetOptions"/>), shared by every
/// namespace that names it, connected at its first delivery and disposed with the container. Connections are made
/// with <c>abortConnect=false</c>: a Redis that is down gets connected to in the background, and commands meanwhile
/// fail or time out (retried deliveries) instead of the connect failing for good.
/// </summary>
public sealed class RedisConnections : IAsyncDisposable
{
    private readonly FrozenDictionary<string, ConfigurationOptions> _configurations;
    private readonly ConcurrentDictionary<string, Lazy<Task<ConnectionMultiplexer>>> _connections = new(StringComparer.OrdinalIgnoreCase);

    public RedisConnections(IOptions<RedisTargetOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _configurations = options.Value.Endpoints.ToFrozenDictionary(
            e => e.Key,
            e =>
            {
                var configuration = ConfigurationOptions.Parse(e.Value.Configuration);
                configuration.AbortOnConnectFail = false;
                return configuration;
            },
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Whether <paramref name="name"/> is a Redis of this server's configuration.</summary>
    public bool IsConfigured(string name) => _configurations.ContainsKey(name);

    /// <summary>
    /// The longest a command to <paramref name="name"/> may take, first connection included: the client's connect
    /// timeout plus its command timeout (StackExchange.Redis gives up on a command after <c>asyncTimeout</c>, 5 s by
    /// default, queued while disconnected or not).
    /// </summary>
    public TimeSpan CommandTimeout(string name) => _configurations.TryGetValue(name, out var configuration)
        ? TimeSpan.FromMilliseconds(configuration.ConnectTimeout + configuration.AsyncTimeout)
        : TimeSpan.Zero;

    /// <summary>The database of a configured Redis (<see cref="IsConfigured"/>); completes synchronously once its connection exists.</summary>
    public ValueTask<IDatabase> GetDatabaseAsync(string name)
    {
        var connecting = _connections.GetOrAdd(name, static (n, self) => new Lazy<Task<ConnectionMultiplexer>>(() => self.ConnectAsync(n)), this).Value;
        return connecting.IsCompletedSuccessfully ? new(connecting.Result.GetDatabase()) : AwaitDatabaseAsync(name, connecting);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connecting in _connections.Values.Where(c => c.IsValueCreated))
        {
            try
            {
                await (await connecting.Value).DisposeAsync();
            }
            catch (RedisException)
            {
                // It never connected; nothing to close.
            }
        }

        _connections.Clear();
    }

    private Task<ConnectionMultiplexer> ConnectAsync(string name) => ConnectionMultiplexer.ConnectAsync(_configurations[name].Clone());

    private async ValueTask<IDatabase> AwaitDatabaseAsync(string name, Task<ConnectionMultiplexer> connecting)
    {
        try
        {
            return (await connecting).GetDatabase();
        }
        catch
        {
            // With abortConnect=false a connect fails only for a reason outside Redis (say, DNS); the next delivery tries again.
            _connections.TryRemove(name, out _);
            throw;
        }
    }
}
