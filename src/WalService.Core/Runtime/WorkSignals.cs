using System.Collections.Concurrent;

namespace WalService.Core.Runtime;

/// <summary>
/// Wakes a namespace's consumer when new work was made durable in this process, so an idle consumer does not wait
/// for its next poll. A signal is a hint: consumers still poll, so a missed one only costs latency. A signal given
/// while nobody waits is kept until the next wait (auto-reset).
/// </summary>
public sealed class WorkSignals
{
    private readonly ConcurrentDictionary<string, Signal> _signals = new(StringComparer.Ordinal);

    public void Notify(string ns) => Get(ns).Set();

    /// <summary>Waits for a signal or the timeout.</summary>
    public Task WaitAsync(string ns, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) =>
        Get(ns).WaitAsync(timeout, time, cancellationToken);

    private Signal Get(string ns) => _signals.GetOrAdd(ns, static _ => new Signal());

    private sealed class Signal
    {
        private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Set() => Volatile.Read(ref _current).TrySetResult();

        public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
        {
            var current = Volatile.Read(ref _current);
            if (!current.Task.IsCompleted)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(timeout, time, cts.Token);
                await Task.WhenAny(current.Task, delay);
                await cts.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (current.Task.IsCompleted)
            {
                Interlocked.CompareExchange(ref _current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
            }
        }
    }
}
