using System.Collections.Concurrent;
using WalService.Core.Abstractions;

namespace WalService.Core.Telemetry;

/// <summary>
/// Which regions of replicated namespaces this instance cannot reach now: those whose last
/// <see cref="FailuresToReport"/> deliveries or more all ended in a retry (a transient failure: the target is down or
/// unreachable). An applied delivery clears a region; a dead letter (the message's fault, not the region's) leaves it
/// as it was. Read by <c>/readyz</c>, which names them.
/// </summary>
public sealed class RegionHealth
{
    public const int FailuresToReport = 3;

    private readonly ConcurrentDictionary<(string Ns, string Region), Failures> _failing = new();

    /// <summary>Takes one delivery's verdict for a region of a namespace.</summary>
    public void Record(string ns, string region, DeliveryVerdict verdict, string? error)
    {
        switch (verdict)
        {
            case DeliveryVerdict.Applied:
                _failing.TryRemove((ns, region), out _);
                break;
            case DeliveryVerdict.Retry:
                _failing.AddOrUpdate((ns, region), _ => new Failures(1, error ?? string.Empty), (_, f) => new Failures(f.Count + 1, error ?? f.LastError));
                break;
        }
    }

    /// <summary>The regions not reached now, by namespace and region, with the last error seen.</summary>
    public IReadOnlyList<(string Ns, string Region, string LastError)> Unreachable() =>
        [.. _failing.Where(f => f.Value.Count >= FailuresToReport).Select(f => (f.Key.Ns, f.Key.Region, f.Value.LastError)).OrderBy(f => f.Ns, StringComparer.Ordinal).ThenBy(f => f.Region, StringComparer.Ordinal)];

    /// <summary>Forgets the namespaces that are gone.</summary>
    public void RetainNamespaces(IReadOnlySet<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var key in _failing.Keys.Where(k => !names.Contains(k.Ns)))
        {
            _failing.TryRemove(key, out _);
        }
    }

    private sealed record Failures(int Count, string LastError);
}
