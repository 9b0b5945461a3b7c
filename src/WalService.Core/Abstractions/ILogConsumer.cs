using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>The read half of a log backend: one <see cref="ILogSubscription"/> per namespace this instance consumes.</summary>
public interface ILogConsumer
{
    /// <summary>
    /// Starts consuming the namespace here. Disposing the subscription ends it: every lease it held was answered or is
    /// given back, and a backend that shares consumption between instances hands its part to the others. The caller
    /// disposes the subscription before it subscribes to the namespace again.
    /// </summary>
    /// <exception cref="ArgumentException">The namespace is not of this backend (<see cref="NamespaceSettings.Backend"/>).</exception>
    /// <exception cref="ObjectDisposedException">The backend is shutting down.</exception>
    /// <remarks>
    /// Any other exception is a failure to reach the log (a queue not found, a broker down): the caller tries again
    /// later, as it would after a failed lease.
    /// </remarks>
    ValueTask<ILogSubscription> SubscribeAsync(NamespaceSettings settings, CancellationToken cancellationToken);
}
