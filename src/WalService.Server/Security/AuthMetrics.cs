using System.Diagnostics.Metrics;
using WalService.Core.Telemetry;

namespace WalService.Server.Security;

/// <summary>Authentication instruments, on the service's meter <see cref="WalMetrics.MeterName"/> (so <c>/metrics</c> shows them).</summary>
internal sealed class AuthMetrics
{
    private readonly Counter<long> _failures;

    public AuthMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _failures = meterFactory.Create(WalMetrics.MeterName).CreateCounter<long>(
            "wal.auth.failures",
            "{attempt}",
            "Refused authentications, by reason (malformed, unknown_key, certificate, throttled).");
    }

    public void Failure(string reason) => _failures.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
