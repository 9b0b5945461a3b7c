using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace WalService.Core.Runtime;

/// <summary>What a log backend runs to consume one namespace.</summary>
public interface INamespaceConsumer : IDisposable
{
    /// <summary>Stops consuming and gives back what it holds undelivered, for whoever consumes the namespace next.</summary>
    Task StopAsync();
}

/// <summary>
/// The consumers a log backend runs, one per namespace: started on first use, stopped when this instance stops
/// consuming the namespace, all stopped when disposed. Once disposed it starts none again, so a worker still winding
/// down cannot leave a consumer running behind it.
/// </summary>
public sealed class NamespaceConsumers<T> : IAsyncDisposable
    where T : class, INamespaceConsumer
{
    private readonly ConcurrentDictionary<string, T> _running = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _starting = new(1, 1);
    private bool _closed;

    /// <summary>The running consumers, by namespace.</summary>
    public IEnumerable<KeyValuePair<string, T>> All => _running;

    public bool TryGet(string ns, [NotNullWhen(true)] out T? consumer) => _running.TryGetValue(ns, out consumer);

    /// <summary>
    /// The namespace's consumer; when there is none, the one <paramref name="start"/> makes (and starts), or null when
    /// it makes none or these consumers are disposed. One start runs at a time.
    /// </summary>
    public async Task<T?> GetOrStartAsync(string ns, Func<CancellationToken, Task<T?>> start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (_running.TryGetValue(ns, out var consumer))
        {
            return consumer;
        }

        await _starting.WaitAsync(cancellationToken);
        try
        {
            if (!_closed && !_running.TryGetValue(ns, out consumer) && await start(cancellationToken) is { } started)
            {
                consumer = _running[ns] = started;
            }

            return consumer;
        }
        finally
        {
            _starting.Release();
        }
    }

    /// <summary>Drops a consumer that can no longer consume, without stopping it, so the next use starts another.</summary>
    public void Discard(string ns, T consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        if (_running.TryRemove(new KeyValuePair<string, T>(ns, consumer)))
        {
            consumer.Dispose();
        }
    }

    public async ValueTask StopAsync(string ns)
    {
        if (_running.TryRemove(ns, out var consumer))
        {
            await consumer.StopAsync();
            consumer.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _starting.WaitAsync();
        _closed = true;
        _starting.Release();
        foreach (var ns in _running.Keys.ToList())
        {
            await StopAsync(ns);
        }
    }
}
