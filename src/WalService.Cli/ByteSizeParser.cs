using System.Globalization;

namespace WalService.Cli;

/// <summary>
/// Parses the sizes walctl takes on its command line: a whole number of bytes (<c>65536</c>), or a number with a unit,
/// binary (<c>256KiB</c>, <c>1MiB</c>, <c>1.5MiB</c>) or decimal (<c>500kB</c>, <c>1MB</c>), with <c>B</c> for bytes.
/// Units are case-insensitive. A size must be at least one byte and at most 2 GiB - 1 (what a gRPC message may hold).
/// </summary>
public static class ByteSizeParser
{
    /// <summary>The accepted forms, for help texts and error messages.</summary>
    public const string Forms = "65536, 512B, 256KiB, 1MiB or 1MB";

    private static readonly (string Suffix, long Bytes)[] Units =
    [
        ("B", 1),
        ("KiB", 1L << 10),
        ("MiB", 1L << 20),
        ("GiB", 1L << 30),
        ("kB", 1_000),
        ("MB", 1_000_000),
        ("GB", 1_000_000_000),
    ];

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? text, out int value, out string error)
    {
        value = 0;
        error = string.Empty;
        var s = text?.Trim() ?? string.Empty;
        var digits = 0;
        while (digits < s.Length && (char.IsAsciiDigit(s[digits]) || s[digits] == '.'))
        {
            digits++;
        }

        if (digits == 0 || !decimal.TryParse(s.AsSpan(0, digits), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            error = $"'{s}' is not a size ({Forms})";
            return false;
        }

        var unit = s[digits..].Trim();
        var bytesPerUnit = unit.Length == 0 ? 1 : Array.Find(Units, u => string.Equals(u.Suffix, unit, StringComparison.OrdinalIgnoreCase)).Bytes;
        if (bytesPerUnit == 0)
        {
            error = $"'{s}' has an unknown unit '{unit}'; use B, KiB, MiB, GiB, kB, MB or GB";
            return false;
        }

        var bytes = number > int.MaxValue ? number : decimal.Floor(number * bytesPerUnit);
        if (bytes < 1 || bytes > int.MaxValue)
        {
            error = $"'{s}' is out of range: a size is from 1 byte to {int.MaxValue} bytes";
            return false;
        }

        value = (int)bytes;
        return true;
    }
}
