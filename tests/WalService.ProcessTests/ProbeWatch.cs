using System.Collections.Concurrent;
using System.Diagnostics;

namespace WalService.ProcessTests;

/// <summary>
/// A region's delivery lateness, sampled: the time each probe key was written is noted, and a poller reads the
/// region's Redis every 25 ms, from <see cref="Start"/> until disposed, and notes when each probe first appears there.
/// </summary>
internal sealed class ProbeWatch : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);
    private readonly ConcurrentDictionary<int, TimeSpan> _written = new();
    private readonly ConcurrentDictionary<int, TimeSpan> _lateness = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly RegionProcess _region;
    private readonly Task _watching;

    private ProbeWatch(RegionProcess region)
    {
        _region = region;
        _watching = WatchAsync(_stop.Token);
    }

    public static ProbeWatch Start(RegionProcess region) => new(region);

    public static string Key(int probe) => $"probe:{probe}";

    /// <summary>Notes that <paramref name="probe"/> is being written now.</summary>
    public void Writing(int probe) => _written[probe] = _clock.Elapsed;

    /// <summary>Whether every probe of <paramref name="probes"/> has appeared.</summary>
    public bool Seen(IEnumerable<int> probes) => probes.All(_lateness.ContainsKey);

    /// <summary>Polls until every probe of <paramref name="probes"/> has appeared or <paramref name="timeout"/> passed.</summary>
    public async Task AwaitAsync(IReadOnlyCollection<int> probes, TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        while (!Seen(probes) && _clock.Elapsed < deadline)
        {
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>
    /// The 95th percentile of the lateness of <paramref name="probes"/>; a probe not seen yet counts with the time since
    /// it was written, the least its lateness can be.
    /// </summary>
    public TimeSpan P95(IReadOnlyCollection<int> probes)
    {
        var now = _clock.Elapsed;
        var sorted = probes.Select(p => _lateness.TryGetValue(p, out var late) ? late : now - _written[p]).Order().ToList();
        return sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching;
        _stop.Dispose();
    }

    private async Task WatchAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var waiting = _written.Keys.Where(p => !_lateness.ContainsKey(p)).ToList();
                if (waiting.Count == 0)
                {
                    continue;
                }

                var values = await _region.ReadAsync([.. waiting.Select(Key)]);
                var now = _clock.Elapsed;
                for (var i = 0; i < waiting.Count; i++)
                {
                    if (values[i] is not null)
                    {
                        _lateness[waiting[i]] = now - _written[waiting[i]];
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }
}
