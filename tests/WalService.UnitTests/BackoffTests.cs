using WalService.Core.Model;
using WalService.Core.Runtime;

namespace WalService.UnitTests;

public sealed class BackoffTests
{
    private static readonly RetrySettings Policy = new(8, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), 2.0, 0.2);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 16)]
    [InlineData(9, 256)]
    public void WithoutSpreadTheWaitDoublesFromTheInitialBackoff(int failedAttempt, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Backoff.Compute(Policy, failedAttempt, 0.5));
    }

    [Fact]
    public void TheWaitNeverExceedsMaxBackoff()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), Backoff.Compute(Policy, 20, 0.5));
        Assert.Equal(TimeSpan.FromMinutes(5), Backoff.Compute(Policy, 20, 0.999));
    }

    [Fact]
    public void JitterSpreadsTheWaitByAtMostItsFraction()
    {
        var low = Backoff.Compute(Policy, 3, 0.0);
        var high = Backoff.Compute(Policy, 3, 0.99999);

        Assert.Equal(TimeSpan.FromSeconds(3.2), low);
        Assert.InRange(high, TimeSpan.FromSeconds(4.79), TimeSpan.FromSeconds(4.8));
    }

    [Fact]
    public void DefaultsAreApiMdDefaults()
    {
        Assert.Equal(new RetrySettings(8, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), 2.0, 0.2), RetrySettings.Default);
    }
}
