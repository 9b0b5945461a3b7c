using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace WalService.Core.Validation;

/// <summary>
/// The range checks every <see cref="Duration"/> and <see cref="Timestamp"/> a client sends passes before the server
/// converts it or computes with it. Each check answers an error naming <c>field</c>, or null when the value is fine.
/// </summary>
public static class TimeRules
{
    /// <summary>protobuf's own bound of <c>Duration.seconds</c>: ±10,000 years.</summary>
    public const long MaxDurationSeconds = 315_576_000_000;

    /// <summary>protobuf's own bound of <c>Timestamp.seconds</c> below: 0001-01-01T00:00:00Z.</summary>
    public const long MinTimestampSeconds = -62_135_596_800;

    /// <summary>protobuf's own bound of <c>Timestamp.seconds</c> above: 9999-12-31T23:59:59Z.</summary>
    public const long MaxTimestampSeconds = 253_402_300_799;

    private const int MaxNanos = 999_999_999;

    /// <summary>
    /// The longest duration a namespace setting may hold: 100 years. The server adds these to and subtracts them from
    /// the current time (a delivery time, a dedup window's start), which then stays far inside 0001..9999.
    /// </summary>
    public static readonly TimeSpan MaxSetting = TimeSpan.FromDays(36_500);

    /// <summary>protobuf's rules for a Duration: seconds within ±315,576,000,000, nanos within ±999,999,999 with the same sign.</summary>
    public static string? WellFormed(Duration? value, string field)
    {
        if (value is null || IsWellFormed(value))
        {
            return null;
        }

        return $"{field} is not a valid Duration (seconds={Number(value.Seconds)}, nanos={Number(value.Nanos)}): seconds must be within ±{Number(MaxDurationSeconds)}, nanos within ±{Number(MaxNanos)} with the same sign as seconds";
    }

    /// <summary>protobuf's rules for a Timestamp: from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z, nanos 0..999,999,999.</summary>
    public static string? WellFormed(Timestamp? value, string field)
    {
        if (value is null || IsWellFormed(value))
        {
            return null;
        }

        return $"{field} is not a valid Timestamp (seconds={Number(value.Seconds)}, nanos={Number(value.Nanos)}): it must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, nanos 0..{Number(MaxNanos)}";
    }

    /// <summary>A well-formed Duration that is not negative.</summary>
    public static string? NonNegative(Duration? value, string field)
    {
        if (WellFormed(value, field) is { } malformed)
        {
            return malformed;
        }

        return value is not null && (value.Seconds < 0 || value.Nanos < 0) ? $"{field} must not be negative" : null;
    }

    /// <summary>A namespace setting: well-formed, not negative, at most <see cref="MaxSetting"/>.</summary>
    public static string? Setting(Duration? value, string field)
    {
        if (NonNegative(value, field) is { } invalid)
        {
            return invalid;
        }

        return value is not null && value.ToTimeSpan() > MaxSetting
            ? $"{field} must be at most {Number(MaxSetting.Days)} days"
            : null;
    }

    /// <summary><paramref name="start"/> + <paramref name="offset"/>, or false when that leaves the range of <see cref="DateTimeOffset"/>.</summary>
    public static bool TryAdd(DateTimeOffset start, TimeSpan offset, out DateTimeOffset sum)
    {
        var ticks = start.UtcTicks;
        if (offset.Ticks > DateTimeOffset.MaxValue.UtcTicks - ticks || offset.Ticks < DateTimeOffset.MinValue.UtcTicks - ticks)
        {
            sum = start;
            return false;
        }

        sum = start + offset;
        return true;
    }

    public static bool IsWellFormed(Duration value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Seconds is >= -MaxDurationSeconds and <= MaxDurationSeconds
            && value.Nanos is >= -MaxNanos and <= MaxNanos
            && !(value.Seconds < 0 && value.Nanos > 0)
            && !(value.Seconds > 0 && value.Nanos < 0);
    }

    public static bool IsWellFormed(Timestamp value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Seconds is >= MinTimestampSeconds and <= MaxTimestampSeconds && value.Nanos is >= 0 and <= MaxNanos;
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
