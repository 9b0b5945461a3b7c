using System.Globalization;

namespace WalService.TestSupport;

/// <summary>Reading what <c>/metrics</c> answers, in the Prometheus text format.</summary>
public static class PrometheusText
{
    /// <summary>The sample lines of <paramref name="metric"/> whose labels include all of <paramref name="labels"/> (each <c>name="value"</c>), in whatever order.</summary>
    public static IEnumerable<string> Series(string text, string metric, params string[] labels)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split('\n').Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)));
    }

    /// <summary>Whether <paramref name="metric"/> has a series with all <paramref name="labels"/>.</summary>
    public static bool Has(string text, string metric, params string[] labels) => Series(text, metric, labels).Any();

    /// <summary>The sum of the values of the series of <paramref name="metric"/> with all <paramref name="labels"/>.</summary>
    public static double Sum(string text, string metric, params string[] labels) =>
        Series(text, metric, labels).Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
