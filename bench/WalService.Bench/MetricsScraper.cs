using System.Globalization;
using System.Text.RegularExpressions;

namespace WalService.Bench;

/// <summary>
/// Reads the server's Prometheus text at <c>/metrics</c> and sums the write and delivery counters of one namespace.
/// Counters, unlike the <c>wal_backlog</c> gauge (refreshed every few seconds), are current at every scrape. With
/// <paramref name="region"/>, only the deliveries of that region of a replicated namespace count (writes carry no region).
/// </summary>
internal sealed partial class MetricsScraper(HttpClient http, Uri opsAddress, string ns, string? region = null)
{
    private readonly Uri _metrics = new(opsAddress, "/metrics");

    public Uri Address => _metrics;

    /// <summary>The counters now; null when <c>/metrics</c> does not answer.</summary>
    public async Task<DeliveryCounts?> TryReadAsync(CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await http.GetStringAsync(_metrics, cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        long written = 0, applied = 0, retried = 0, deadLettered = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            if (!TryParse(line.ToString(), out var name, out var labels, out var value) || labels.GetValueOrDefault("namespace") != ns)
            {
                continue;
            }

            var outcome = labels.GetValueOrDefault("outcome");
            if (region is not null && name == "wal_deliveries_total" && labels.GetValueOrDefault("region") != region)
            {
                continue;
            }

            switch (name)
            {
                case "wal_writes_total" when outcome == "durable":
                    written += value;
                    break;
                case "wal_deliveries_total" when outcome == "applied":
                    applied += value;
                    break;
                case "wal_deliveries_total" when outcome == "retry":
                    retried += value;
                    break;
                case "wal_deliveries_total" when outcome == "dead_letter":
                    deadLettered += value;
                    break;
            }
        }

        return new DeliveryCounts(written, applied, retried, deadLettered);
    }

    /// <summary>Splits <c>name{a="x",b="y"} value [timestamp]</c>.</summary>
    private static bool TryParse(string line, out string name, out Dictionary<string, string> labels, out long value)
    {
        labels = [];
        value = 0;
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var close = line.LastIndexOf('}');
        if (brace < 0 || close < brace)
        {
            name = string.Empty;
            return false;
        }

        name = line[..brace];
        foreach (Match match in LabelPattern().Matches(line[(brace + 1)..close]))
        {
            labels[match.Groups[1].Value] = match.Groups[2].Value;
        }

        var rest = line[(close + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length == 0 || !double.TryParse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        value = (long)number;
        return true;
    }

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPattern();
}
