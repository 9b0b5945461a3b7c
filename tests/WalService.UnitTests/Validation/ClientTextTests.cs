using WalService.Core.Validation;

namespace WalService.UnitTests.Validation;

public sealed class ClientTextTests
{
    [Fact]
    public void ShortTextIsQuotedWhole() => Assert.Equal("'orders'", ClientText.Quote("orders"));

    [Fact]
    public void NullAndEmptyAreAnEmptyQuote()
    {
        Assert.Equal("''", ClientText.Quote(null));
        Assert.Equal("''", ClientText.Quote(string.Empty));
    }

    [Fact]
    public void LongTextIsCutToItsFirst64CharactersAndNamesItsLength()
    {
        var quoted = ClientText.Quote(new string('a', 100_000));

        Assert.Equal("'" + new string('a', 64) + "'... (100000 characters)", quoted);
    }

    [Fact]
    public void TextOfExactlyTheLimitIsNotCut() =>
        Assert.Equal("'" + new string('b', 64) + "'", ClientText.Quote(new string('b', 64)));

    [Theory]
    [InlineData("abc\n", "'abc\\n'")]
    [InlineData("a\r\nb", "'a\\r\\nb'")]
    [InlineData("a\tb", "'a\\tb'")]
    [InlineData("a\0b", "'a\\u0000b'")]
    [InlineData("a\u001bb", "'a\\u001bb'")]
    [InlineData("a\u202eb", "'a\\u202eb'")]
    [InlineData("a\u2028b", "'a\\u2028b'")]
    [InlineData("it's", "'it\\'s'")]
    [InlineData("a\\b", "'a\\\\b'")]
    public void ControlCharactersQuotesAndBackslashesAreEscaped(string input, string expected) =>
        Assert.Equal(expected, ClientText.Quote(input));

    [Fact]
    public void NonAsciiLettersAndSurrogatePairsAreKept() =>
        Assert.Equal("'zürich-😀'", ClientText.Quote("zürich-😀"));

    [Fact]
    public void ALoneSurrogateIsEscaped() => Assert.Equal("'a\\ud800b'", ClientText.Quote("a\ud800b"));

    [Fact]
    public void TheCutNeverSplitsASurrogatePair()
    {
        var quoted = ClientText.Quote(new string('a', 63) + "😀😀", maxChars: 64);

        Assert.Equal("'" + new string('a', 63) + "'... (67 characters)", quoted);
    }

    [Fact]
    public void EscapingKeepsTheQuoteBounded()
    {
        var quoted = ClientText.Quote(new string('\0', 10_000));

        Assert.True(quoted.Length < 64 * 6 + 40, $"{quoted.Length} characters");
        Assert.DoesNotContain('\0', quoted);
    }
}
