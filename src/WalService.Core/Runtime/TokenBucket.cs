namespace WalService.Core.Runtime;

/// <summary>
/// A token bucket: <c>rate</c> tokens a second, holding at most <c>burst</c> (at least 1, and at least one second's
/// worth when burst is 0). Thread-safe; time comes from <see cref="TimeProvider"/>.
/// </summary>
public sealed class TokenBucket
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly double _rate;
    private readonly double _capacity;
    private double _tokens;
    private long _last;

    public TokenBucket(double rate, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _rate = rate;
        _capacity = burst > 0 ? burst : Math.Max(1, rate);
        _tokens = _capacity;
        _last = time.GetTimestamp();
    }

    /// <summary>Takes <paramref name="count"/> tokens, or returns false and how long until they would be there.</summary>
    public bool TryTake(int count, out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * _rate));
            _last = now;
            if (_tokens >= count)
            {
                _tokens -= count;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((count - _tokens) / _rate);
            return false;
        }
    }
}
