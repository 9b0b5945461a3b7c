using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Core.FrontDoor;

namespace WalService.UnitTests.Replication;

/// <summary>A replicated message's status, combined from its regions'.</summary>
public sealed class RegionStatusesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static MessageStatus Status(MessageState state, int attempts = 1, string error = "", DateTimeOffset? appliedAt = null) => new()
    {
        MessageId = "m",
        State = state,
        Attempts = attempts,
        LastError = error,
        AppliedAt = appliedAt?.ToTimestamp(),
    };

    [Fact]
    public void BeforeItIsSplitEveryRegionStandsWhereTheMessageDoes()
    {
        var combined = RegionStatuses.Combine(Status(MessageState.Delayed, attempts: 0), [("a", null), ("b", null)]);

        Assert.Equal(MessageState.Delayed, combined.State);
        Assert.Equal([("a", MessageState.Delayed), ("b", MessageState.Delayed)], combined.Regions.Select(r => (r.Region, r.State)));
    }

    [Fact]
    public void TheMessageIsAppliedOnceEveryRegionIsAtTheLastRegionsTime()
    {
        var combined = RegionStatuses.Combine(
            Status(MessageState.Applied, appliedAt: Now),
            [("a", Status(MessageState.Applied, appliedAt: Now.AddSeconds(1))), ("b", Status(MessageState.Applied, attempts: 3, appliedAt: Now.AddSeconds(5)))]);

        Assert.Equal(MessageState.Applied, combined.State);
        Assert.Equal(Now.AddSeconds(5), combined.AppliedAt.ToDateTimeOffset());
        Assert.Equal([1, 3], combined.Regions.Select(r => r.Attempts));
    }

    [Fact]
    public void ARegionStillRetryingMakesTheMessageRetryingWithThatRegionsError()
    {
        var combined = RegionStatuses.Combine(
            Status(MessageState.Applied, appliedAt: Now),
            [("a", Status(MessageState.Applied, appliedAt: Now)), ("b", Status(MessageState.RetryScheduled, attempts: 4, error: "HTTP 503")), ("c", Status(MessageState.DeadLettered, error: "HTTP 400"))]);

        Assert.Equal(MessageState.RetryScheduled, combined.State);
        Assert.Equal((4, "HTTP 503"), (combined.Attempts, combined.LastError));
        Assert.Null(combined.AppliedAt);
    }

    [Fact]
    public void EveryRegionAppliedOrDeadLetteredWithOneDeadLetteredIsDeadLettered()
    {
        var combined = RegionStatuses.Combine(
            Status(MessageState.Applied, appliedAt: Now),
            [("a", Status(MessageState.Applied, appliedAt: Now)), ("b", Status(MessageState.DeadLettered, attempts: 8, error: "gave up"))]);

        Assert.Equal(MessageState.DeadLettered, combined.State);
        Assert.Equal((8, "gave up"), (combined.Attempts, combined.LastError));
    }

    [Fact]
    public void ARegionAddedAfterTheSplitIsLeftOut()
    {
        var combined = RegionStatuses.Combine(Status(MessageState.Applied, appliedAt: Now), [("a", Status(MessageState.Applied, appliedAt: Now)), ("new", null)]);

        Assert.Equal(["a"], combined.Regions.Select(r => r.Region));
        Assert.Equal(MessageState.Applied, combined.State);
    }

    [Fact]
    public void AMessageDeadLetteredBeforeItWasSplitIsDeadLetteredInEveryRegion()
    {
        var combined = RegionStatuses.Combine(Status(MessageState.DeadLettered, attempts: 8, error: "could not enqueue"), [("a", null), ("b", null)]);

        Assert.Equal(MessageState.DeadLettered, combined.State);
        Assert.All(combined.Regions, r => Assert.Equal((MessageState.DeadLettered, 8, "could not enqueue"), (r.State, r.Attempts, r.LastError)));
        Assert.Equal((8, "could not enqueue"), (combined.Attempts, combined.LastError));
    }
}
