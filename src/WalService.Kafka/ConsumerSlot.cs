namespace WalService.Kafka;

/// <summary>
/// Holds the consumer of one subscription and replaces one that failed: a failed consumer is disposed without being
/// stopped and the next use starts another (its records go back to the group: the new member reads them again from the
/// committed offsets). Once stopped it starts none again, so a fetch that races the stop cannot leave a
/// consumer running behind it.
/// </summary>
/// <param name="start">Makes and starts a consumer; may throw, and is tried again at the next use.</param>
/// <param name="failed">Whether a consumer can no longer consume.</param>
internal sealed class ConsumerSlot<T>(Func<T> start, Func<T, bool> failed)
    where T : class, IDisposable
{
    private readonly Lock _gate = new();
    private volatile T? _current;
    private bool _stopped;

    /// <summary>The consumer now, failed or not; null before the first use, after a failed start, or once stopped.</summary>
    public T? Current => _current;

    /// <summary>The consumer, started or replaced as needed; null once stopped.</summary>
    public T? Use()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return null;
            }

            if (_current is { } consumer && failed(consumer))
            {
                _current = null;
                consumer.Dispose();
            }

            return _current ??= start();
        }
    }

    /// <summary>Hands the consumer, failed or not, to the caller, who owns it from then on; no consumer starts after this.</summary>
    public T? Detach()
    {
        lock (_gate)
        {
            _stopped = true;
            var consumer = _current;
            _current = null;
            return consumer;
        }
    }

    /// <summary>Stops the consumer with <paramref name="stop"/>, then disposes it; no consumer starts after this.</summary>
    public async Task StopAsync(Func<T, Task> stop)
    {
        ArgumentNullException.ThrowIfNull(stop);
        T? consumer;
        lock (_gate)
        {
            _stopped = true;
            consumer = _current;
            _current = null;
        }

        if (consumer is not null)
        {
            await stop(consumer);
            consumer.Dispose();
        }
    }
}
