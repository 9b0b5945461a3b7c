using WalService.Cli;

namespace WalService.CliTests;

public sealed class ByteSizeParserTests
{
    [Theory]
    [InlineData("65536", 65_536)]
    [InlineData("512B", 512)]
    [InlineData("256KiB", 262_144)]
    [InlineData("1MiB", 1_048_576)]
    [InlineData("1.5MiB", 1_572_864)]
    [InlineData("256kib", 262_144)]
    [InlineData("500kB", 500_000)]
    [InlineData("1MB", 1_000_000)]
    [InlineData(" 64 KiB ", 65_536)]
    public void ParsesBytesAndUnits(string text, int expected)
    {
        // Act
        var parsed = ByteSizeParser.TryParse(text, out var value, out var error);

        // Assert
        Assert.True(parsed, error);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("", "is not a size")]
    [InlineData("KiB", "is not a size")]
    [InlineData("-1KiB", "is not a size")]
    [InlineData("12XB", "unknown unit 'XB'")]
    [InlineData("0", "out of range")]
    [InlineData("0.1B", "out of range")]
    [InlineData("2GiB", "out of range")]
    [InlineData("99999999999999999999999999GiB", "out of range")]
    public void RefusesWhatIsNotASize(string text, string expected)
    {
        // Act
        var parsed = ByteSizeParser.TryParse(text, out _, out var error);

        // Assert
        Assert.False(parsed);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
