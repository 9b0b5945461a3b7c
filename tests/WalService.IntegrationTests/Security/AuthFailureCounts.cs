using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace WalService.IntegrationTests.Security;

/// <summary>What one server's <c>wal.auth.failures</c> counter counted, by reason (other servers' meters are ignored).</summary>
internal sealed class AuthFailureCounts : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _byReason = new(StringComparer.Ordinal);

    public AuthFailureCounts(IMeterFactory serverMeters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, serverMeters) && instrument.Name == "wal.auth.failures")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "reason")
                {
                    _byReason.AddOrUpdate((string)tag.Value!, value, (_, sum) => sum + value);
                }
            }
        });
        _listener.Start();
    }

    public long this[string reason] => _byReason.GetValueOrDefault(reason);

    public void Dispose() => _listener.Dispose();
}
