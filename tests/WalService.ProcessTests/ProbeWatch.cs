using System.Collections.Concurrent;
using System.Diagnostics;

namespace WalService.ProcessTests;

/// <summary>
/// A region's delivery lateness, sampled: the time each probe key was written is noted, and a poller reads the
/// region's Redis every 25 ms and notes when each probe first appears there.
/// </summary>
internal sealed class ProbeWatch(RegionProcess region)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);
    private readonly ConcurrentDictionary<int, TimeSpan> _written = new();
    private readonly ConcurrentDictionary<int, TimeSpan> _lateness = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public static string Key(int probe) => $"probe:{probe}";

    /// <summary>Notes that <paramref name="probe"/> is being written now.</summary>
    public void Writing(int probe) => _written[probe] = _clock.Elapsed;

    /// <summary>Whether every probe of <paramref name="probes"/> has appeared.</summary>
    public bool Seen(IEnumerable<int> probes) => probes.All(_lateness.ContainsKey);

    /// <summary>The 95th percentile of the lateness of <paramref name="probes"/>, all seen.</summary>
    public TimeSpan P95(IReadOnlyCollection<int> probes)
    {
        var sorted = probes.Select(p => _lateness[p]).Order().ToList();
        return sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1];
    }

    /// <summary>Polls until <paramref name="stop"/> is cancelled.</summary>
    public async Task WatchAsync(CancellationToken stop)
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

                var values = await region.ReadAsync([.. waiting.Select(Key)]);
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
            // Stopped by the test.
        }
    }
}
