using Microsoft.Extensions.Time.Testing;
using WalService.Core.Runtime;

namespace WalService.UnitTests;

public sealed class TokenBucketTests
{
    [Fact]
    public void BurstIsAvailableAtOnceThenTheRateRefills()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(rate: 10, burst: 3, time);

        Assert.True(bucket.TryTake(1, out _));
        Assert.True(bucket.TryTake(1, out _));
        Assert.True(bucket.TryTake(1, out _));
        Assert.False(bucket.TryTake(1, out var wait));
        Assert.Equal(TimeSpan.FromMilliseconds(100), wait);

        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(bucket.TryTake(1, out _));
    }

    [Fact]
    public void WithoutBurstOneSecondOfRateIsHeld()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(rate: 5, burst: 0, time);

        var taken = Enumerable.Range(0, 10).Count(i => bucket.TryTake(1, out _));

        Assert.Equal(5, taken);
    }

    [Fact]
    public void TheBucketNeverHoldsMoreThanItsCapacity()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(rate: 1, burst: 2, time);

        time.Advance(TimeSpan.FromHours(1));
        var taken = Enumerable.Range(0, 5).Count(i => bucket.TryTake(1, out _));

        Assert.Equal(2, taken);
    }
}
