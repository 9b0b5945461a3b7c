using WalService.Core.Model;

namespace WalService.Core.Runtime;

/// <summary>Exponential backoff with jitter, from a namespace's <see cref="RetrySettings"/>.</summary>
public static class Backoff
{
    /// <summary>
    /// The wait after failed attempt <paramref name="failedAttempt"/> (1-based):
    /// min(max_backoff, initial_backoff × multiplier^(n-1)), spread by ±jitter, never above max_backoff.
    /// </summary>
    /// <param name="unitRandom">A number in [0, 1); 0.5 means no spread.</param>
    public static TimeSpan Compute(RetrySettings retry, int failedAttempt, double unitRandom)
    {
        ArgumentNullException.ThrowIfNull(retry);
        var exponent = Math.Max(0, failedAttempt - 1);
        var baseTicks = retry.InitialBackoff.Ticks * Math.Pow(retry.Multiplier, exponent);
        var capped = Math.Min(baseTicks, retry.MaxBackoff.Ticks);
        var spread = 1 + (retry.Jitter * ((2 * unitRandom) - 1));
        var ticks = Math.Clamp(capped * spread, 0, retry.MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
