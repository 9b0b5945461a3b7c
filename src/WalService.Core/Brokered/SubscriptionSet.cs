using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace WalService.Core.Brokered;

/// <summary>
/// The subscriptions a broker-backed log runs now, one per namespace, for what the backend reports about them (lag,
/// backlog, readiness) and stops on its own (a dropped namespace, shutdown). A subscription leaves the set when it has
/// stopped. Once disposed, the set stops every subscription and takes no new one, so a worker still winding down
/// cannot leave a consumer running behind it.
/// </summary>
public sealed class SubscriptionSet<T> : IAsyncDisposable
    where T : BrokeredSubscription
{
    private readonly ConcurrentDictionary<string, T> _live = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _closed;

    public IEnumerable<T> All => _live.Values;

    public bool TryGet(string ns, [NotNullWhen(true)] out T? subscription) => _live.TryGetValue(ns, out subscription);

    /// <summary>Holds a new subscription; when the set is disposed, stops it and throws <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask<T> AddAsync(T subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        lock (_gate)
        {
            if (!_closed)
            {
                subscription.Stopped = s => _live.TryRemove(new KeyValuePair<string, T>(s.Namespace, (T)s));
                _live[subscription.Namespace] = subscription;
                return subscription;
            }
        }

        await subscription.DisposeAsync();
        throw new ObjectDisposedException(GetType().Name, "the log backend is shutting down");
    }

    /// <summary>Stops the namespace's subscription, if one runs here.</summary>
    public Task StopAsync(string ns) => _live.TryGetValue(ns, out var subscription) ? subscription.StopAsync() : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _closed = true;
        }

        await Task.WhenAll(_live.Values.Select(s => s.StopAsync()));
    }
}
