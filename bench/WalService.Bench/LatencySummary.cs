using System.Diagnostics;

namespace WalService.Bench;

/// <summary>
/// Percentiles of a set of call latencies, computed exactly from all samples (sorted Stopwatch tick counts) by the
/// nearest-rank method: the p-th percentile is the smallest sample that at least p percent of the samples do not exceed.
/// </summary>
internal sealed class LatencySummary
{
    private readonly long[] _sorted;

    public LatencySummary(IEnumerable<List<long>> samples)
    {
        _sorted = samples.SelectMany(s => s).ToArray();
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    public double MeanMs => _sorted.Length == 0 ? 0 : ToMs(_sorted.Average(t => (double)t));

    public double MaxMs => _sorted.Length == 0 ? 0 : ToMs(_sorted[^1]);

    /// <summary>The <paramref name="percentile"/>-th percentile (0 &lt; p ≤ 100) in milliseconds; 0 without samples.</summary>
    public double PercentileMs(double percentile)
    {
        if (_sorted.Length == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * _sorted.Length);
        return ToMs(_sorted[Math.Clamp(rank, 1, _sorted.Length) - 1]);
    }

    private static double ToMs(double ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
