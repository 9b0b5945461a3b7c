using System.Globalization;

namespace WalService.Cli;

/// <summary>
/// Parses the durations walctl takes on its command line: a sequence of numbers with units (<c>250ms</c>,
/// <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>2d</c>, <c>1h30m</c>, <c>1.5h</c>) or a .NET time span
/// (<c>hh:mm:ss</c>, <c>d.hh:mm:ss</c>). A bare number is refused because its unit would be a guess; a negative
/// duration is refused because no option of walctl means anything by it.
/// </summary>
public static class DurationParser
{
    /// <summary>The accepted forms, for help texts and error messages.</summary>
    public const string Forms = "250ms, 30s, 5m, 1h, 2d, 1h30m or hh:mm:ss";

    private static readonly (string Suffix, long TicksPerUnit)[] Units =
    [
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
        ("d", TimeSpan.TicksPerDay),
    ];

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = string.Empty;
        var s = text?.Trim() ?? string.Empty;
        if (s.Length == 0)
        {
            error = $"a duration is required ({Forms})";
            return false;
        }

        if (s.StartsWith('-'))
        {
            error = $"'{s}' is negative; a duration must be zero or more";
            return false;
        }

        if (s.Contains(':', StringComparison.Ordinal))
        {
            if (TimeSpan.TryParseExact(s, "c", CultureInfo.InvariantCulture, out value))
            {
                return true;
            }

            error = $"'{s}' is not a valid hh:mm:ss duration";
            return false;
        }

        return TryParseWithUnits(s, out value, out error);
    }

    private static bool TryParseWithUnits(string s, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = string.Empty;
        decimal ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (!decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"'{s}' is not a duration ({Forms})";
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            var unit = s[unitStart..i];
            if (unit.Length == 0)
            {
                error = $"'{s}' needs a unit: ms, s, m, h or d (e.g. 30s)";
                return false;
            }

            var ticksPerUnit = Array.Find(Units, u => string.Equals(u.Suffix, unit, StringComparison.OrdinalIgnoreCase)).TicksPerUnit;
            if (ticksPerUnit == 0)
            {
                error = $"'{s}' has an unknown unit '{unit}'; use ms, s, m, h or d";
                return false;
            }

            ticks += number * ticksPerUnit;
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                error = $"'{s}' is too long a duration";
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }
}
