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

    [Fact]
    public void SequencesIncreaseWithTheIdsAndAreAboveTheNamedRange()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 1, 0, 0, TimeSpan.Zero));
        var generator = new MessageIdGenerator(time);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.AddRange(Enumerable.Range(0, 500).Select(_ => generator.Next()));
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var sequences = ids.Select(id => Assert.IsType<long>(Sequence(id))).ToList();

        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        Assert.All(sequences, s => Assert.True(s >= MessageIdGenerator.FirstSequence));
    }

    [Fact]
    public void TheIdAfterAFullMillisecondTakesTheNextOne()
    {
        var generator = new MessageIdGenerator(new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 1, 0, 0, TimeSpan.Zero)));

        var ids = Enumerable.Range(0, 65_537).Select(_ => generator.Next()).ToList();

        Assert.Equal(ids[0][..10], ids[65_535][..10]);
        Assert.NotEqual(ids[0][..10], ids[65_536][..10]);
        Assert.True(Sequence(ids[65_535]) < Sequence(ids[65_536]));
        Assert.True(string.CompareOrdinal(ids[65_535], ids[65_536]) < 0);
    }

    [Fact]
    public void AfterEnsureAfterIdsFollowTheGivenOneWithRandomBitsOfTheirOwn()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 1, 0, 0, TimeSpan.Zero));
        var earlier = new MessageIdGenerator(time);
        var last = earlier.Next();
        time.AdjustTime(time.GetUtcNow().AddMinutes(-1));
        var generator = new MessageIdGenerator(time);

        generator.EnsureAfter(last);
        var next = generator.Next();

        Assert.True(string.CompareOrdinal(last, next) < 0);
        Assert.True(Sequence(last) < Sequence(next));
        Assert.NotEqual(last[10..22], next[10..22]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("b-1")]
    [InlineData("01ARZ3NDEKTSV4RRFFQ69G5FA!")]
    [InlineData("0000000000ZZZZZZZZZZZZZZZZ")]
    public void AStringThatIsNoIdOfThisLayoutHasNoSequence(string id) => Assert.Null(Sequence(id));

    private static long? Sequence(string id) => MessageIdGenerator.TryGetSequence(id, out var sequence) ? sequence : null;
}
