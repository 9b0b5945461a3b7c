using Microsoft.Extensions.Time.Testing;
using WalService.Core.Runtime;

namespace WalService.UnitTests;

public sealed class MessageIdGeneratorTests
{
    [Fact]
    public void IdsAreStrictlyIncreasingWithinOneMillisecond()
    {
        var generator = new MessageIdGenerator(new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000)));

        var ids = Enumerable.Range(0, 1000).Select(_ => generator.Next()).ToList();

        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Equal(26, id.Length));
    }

    [Fact]
    public void IdsSortByWriteTimeWhichLeadsTheId()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 1, 0, 0, TimeSpan.Zero));
        var generator = new MessageIdGenerator(time);

        var first = generator.Next();
        time.Advance(TimeSpan.FromMilliseconds(1));
        var second = generator.Next();

        Assert.True(string.CompareOrdinal(first, second) < 0);
        Assert.NotEqual(first[..10], second[..10]);
        Assert.Equal(first[..9], second[..9]);
    }

    [Fact]
    public void AClockSteppingBackDoesNotBreakOrder()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 1, 0, 0, TimeSpan.Zero));
        var generator = new MessageIdGenerator(time);

        var first = generator.Next();
        time.AdjustTime(time.GetUtcNow().AddSeconds(-5));
        var second = generator.Next();

        Assert.True(string.CompareOrdinal(first, second) < 0);
    }
}
