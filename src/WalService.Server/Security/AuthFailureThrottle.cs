using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using WalService.Server.Hosting;

namespace WalService.Server.Security;

/// <summary>
/// Counts failed authentications per client address in fixed windows of <see cref="AuthOptions.FailureWindow"/>.
/// Once an address has used its <see cref="AuthOptions.FailureLimit"/> failures, its further attempts are refused
/// without checking their credentials until the window ends, so keys cannot be guessed at speed.
/// </summary>
internal sealed class AuthFailureThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;
    private readonly TimeSpan _window;

    public AuthFailureThrottle(IOptions<AuthOptions> options)
    {
        var limit = options.Value.FailureLimit;
        _window = options.Value.FailureWindow;
        _failures = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(
            address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = _window, QueueLimit = 0, AutoReplenishment = true }));
    }

    /// <summary>True when <paramref name="address"/> has no failures left in this window; <paramref name="retryAfter"/> bounds the wait.</summary>
    public bool IsThrottled(string address, out TimeSpan retryAfter)
    {
        using var probe = _failures.AttemptAcquire(address, 0);
        retryAfter = probe.IsAcquired ? TimeSpan.Zero
            : probe.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait
            : _window;
        return !probe.IsAcquired;
    }

    /// <summary>Counts one failure of <paramref name="address"/>; true when that was its last one in this window.</summary>
    public bool RecordFailure(string address)
    {
        using var failure = _failures.AttemptAcquire(address, 1);
        return failure.IsAcquired && IsThrottled(address, out _);
    }

    public void Dispose() => _failures.Dispose();
}
