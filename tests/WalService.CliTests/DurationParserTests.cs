using WalService.Cli;

namespace WalService.CliTests;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2d", 172_800_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0s", 0)]
    [InlineData("10S", 10_000)]
    [InlineData(" 45s ", 45_000)]
    public void ParsesNumbersWithUnits(string text, long expectedMilliseconds)
    {
        // Act
        var value = DurationParser.Parse(text);

        // Assert
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), value);
    }

    [Theory]
    [InlineData("00:00:30", 30)]
    [InlineData("01:02:03", 3_723)]
    [InlineData("1.00:00:00", 86_400)]
    public void ParsesTimeSpanForms(string text, long expectedSeconds)
    {
        // Act
        var value = DurationParser.Parse(text);

        // Assert
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), value);
    }

    [Theory]
    [InlineData("30", "needs a unit")]
    [InlineData("-5s", "negative")]
    [InlineData("-00:00:05", "negative")]
    [InlineData("5w", "unknown unit 'w'")]
    [InlineData("", "required")]
    [InlineData("   ", "required")]
    [InlineData("s", "not a duration")]
    [InlineData("1.2.3s", "not a duration")]
    [InlineData("25:99:00", "hh:mm:ss")]
    [InlineData("99999999999d", "too long")]
    public void RefusesWhatIsNotADurationSayingWhy(string text, string expectedReason)
    {
        // Act
        var parsed = DurationParser.TryParse(text, out _, out var error);

        // Assert
        Assert.False(parsed);
        Assert.Contains(expectedReason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseThrowsFormatExceptionWithTheReason()
    {
        // Act
        var error = Assert.Throws<FormatException>(() => DurationParser.Parse("10 parsecs"));

        // Assert
        Assert.Contains("10 parsecs", error.Message, StringComparison.Ordinal);
    }
}
