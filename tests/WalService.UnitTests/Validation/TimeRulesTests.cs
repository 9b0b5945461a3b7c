using Google.Protobuf.WellKnownTypes;
using WalService.Core.Validation;

namespace WalService.UnitTests.Validation;

public sealed class TimeRulesTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(315_576_000_000, 999_999_999)]
    [InlineData(-315_576_000_000, -999_999_999)]
    [InlineData(0, -5)]
    [InlineData(0, 5)]
    public void DurationsWithinProtobufsRangeAreWellFormed(long seconds, int nanos) =>
        Assert.Null(TimeRules.WellFormed(new Duration { Seconds = seconds, Nanos = nanos }, "lifecycle.delay"));

    [Theory]
    [InlineData(315_576_000_001, 0)]
    [InlineData(-315_576_000_001, 0)]
    [InlineData(1_000_000_000_000, 0)]
    [InlineData(0, 1_000_000_000)]
    [InlineData(0, -1_000_000_000)]
    [InlineData(1, -1)]
    [InlineData(-1, 1)]
    [InlineData(long.MaxValue, int.MaxValue)]
    [InlineData(long.MinValue, int.MinValue)]
    public void DurationsOutsideProtobufsRangeAreNamedByField(long seconds, int nanos)
    {
        var error = TimeRules.WellFormed(new Duration { Seconds = seconds, Nanos = nanos }, "config.retry.max_backoff");

        Assert.NotNull(error);
        Assert.StartsWith("config.retry.max_backoff is not a valid Duration", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-62_135_596_800, 0)]
    [InlineData(253_402_300_799, 999_999_999)]
    [InlineData(0, 0)]
    public void TimestampsFromYear1ToYear9999AreWellFormed(long seconds, int nanos) =>
        Assert.Null(TimeRules.WellFormed(new Timestamp { Seconds = seconds, Nanos = nanos }, "lifecycle.deliver_at"));

    [Theory]
    [InlineData(-62_135_596_801, 0)]
    [InlineData(253_402_300_800, 0)]
    [InlineData(-219_842_668_800, 0)]
    [InlineData(0, -1)]
    [InlineData(0, 1_000_000_000)]
    public void TimestampsOutsideYear1ToYear9999AreNamedByField(long seconds, int nanos)
    {
        var error = TimeRules.WellFormed(new Timestamp { Seconds = seconds, Nanos = nanos }, "lifecycle.deliver_at");

        Assert.NotNull(error);
        Assert.StartsWith("lifecycle.deliver_at is not a valid Timestamp", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AbsentValuesPass()
    {
        Assert.Null(TimeRules.WellFormed((Duration?)null, "x"));
        Assert.Null(TimeRules.WellFormed((Timestamp?)null, "x"));
        Assert.Null(TimeRules.Setting(null, "x"));
    }

    [Fact]
    public void NegativeDurationIsRefusedAsNegative()
    {
        Assert.Equal("config.max_delay must not be negative", TimeRules.NonNegative(new Duration { Nanos = -1 }, "config.max_delay"));
        Assert.Equal("config.max_delay must not be negative", TimeRules.Setting(new Duration { Seconds = -1 }, "config.max_delay"));
    }

    [Fact]
    public void SettingsMayReachAHundredYearsButNotMore()
    {
        Assert.Null(TimeRules.Setting(Duration.FromTimeSpan(TimeRules.MaxSetting), "config.dedup_window"));

        var error = TimeRules.Setting(Duration.FromTimeSpan(TimeRules.MaxSetting + TimeSpan.FromSeconds(1)), "config.dedup_window");

        Assert.Equal("config.dedup_window must be at most 36,500 days", error);
    }

    [Fact]
    public void TryAddRefusesASumPastTheLastRepresentableTime()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.True(TimeRules.TryAdd(now, TimeSpan.FromDays(1), out var tomorrow));
        Assert.Equal(now.AddDays(1), tomorrow);
        Assert.False(TimeRules.TryAdd(now, TimeSpan.FromDays(3_000_000), out _));
        Assert.False(TimeRules.TryAdd(now, TimeSpan.MinValue, out _));
        Assert.True(TimeRules.TryAdd(DateTimeOffset.MaxValue, TimeSpan.Zero, out var max));
        Assert.Equal(DateTimeOffset.MaxValue, max);
    }
}
