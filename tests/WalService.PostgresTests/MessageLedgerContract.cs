using WalService.Api.V1;
using WalService.Core.Abstractions;

namespace WalService.PostgresTests;

/// <summary>What every <see cref="IMessageLedgerStore"/> must do, run against each store.</summary>
public abstract class MessageLedgerContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    protected IMessageLedgerStore Ledger { get; private set; } = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => Ledger = await CreateLedgerAsync();

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    protected abstract Task<IMessageLedgerStore> CreateLedgerAsync();

    private static LedgerUpdate Update(string id, MessageState state, int attempts, DateTimeOffset at, string? error = null, DateTimeOffset? applied = null) =>
        new("ns", id, state, attempts, error, state == MessageState.RetryScheduled ? at.AddSeconds(5) : null, applied, at);

    [Fact]
    public async Task AKeyIsHeldByItsFirstClaimUntilItExpires()
    {
        var first = await Ledger.ClaimAsync("ns", "order-1", "m-1", T0, T0.AddHours(1), Ct);
        var repeat = await Ledger.ClaimAsync("ns", "order-1", "m-2", T0.AddMinutes(5), T0.AddMinutes(65), Ct);
        var otherNamespace = await Ledger.ClaimAsync("other", "order-1", "m-3", T0, T0.AddHours(1), Ct);
        var afterExpiry = await Ledger.ClaimAsync("ns", "order-1", "m-4", T0.AddHours(1), T0.AddHours(2), Ct);

        Assert.Equal(["m-1", "m-1", "m-3", "m-4"], [first, repeat, otherNamespace, afterExpiry]);
    }

    [Fact]
    public async Task OfConcurrentClaimsOfOneKeyExactlyOneWins()
    {
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Ledger.ClaimAsync("ns", "race", $"m-{i}", T0, T0.AddHours(1), Ct)));

        Assert.Single(claims.Distinct());
    }

    [Fact]
    public async Task AReleasedKeyIsClaimedAnewByTheNextWriter()
    {
        await Ledger.ClaimAsync("ns", "order-1", "m-1", T0, T0.AddHours(1), Ct);

        await Ledger.ReleaseAsync("ns", "order-1", "m-1", Ct);
        var retry = await Ledger.ClaimAsync("ns", "order-1", "m-2", T0.AddMinutes(1), T0.AddMinutes(61), Ct);
        var repeat = await Ledger.ClaimAsync("ns", "order-1", "m-3", T0.AddMinutes(2), T0.AddMinutes(62), Ct);

        Assert.Equal(["m-2", "m-2"], [retry, repeat]);
    }

    [Fact]
    public async Task ReleaseByAnotherIdLeavesTheHolder()
    {
        await Ledger.ClaimAsync("ns", "order-1", "m-1", T0, T0.AddHours(1), Ct);
        await Ledger.ClaimAsync("other", "order-1", "m-2", T0, T0.AddHours(1), Ct);

        await Ledger.ReleaseAsync("ns", "order-1", "m-2", Ct);
        await Ledger.ReleaseAsync("ns", "order-2", "m-1", Ct);

        Assert.Equal("m-1", await Ledger.ClaimAsync("ns", "order-1", "m-3", T0.AddMinutes(1), T0.AddMinutes(61), Ct));
        Assert.Equal("m-2", await Ledger.ClaimAsync("other", "order-1", "m-4", T0.AddMinutes(1), T0.AddMinutes(61), Ct));
    }

    [Fact]
    public async Task TheLatestChangeOfAMessageIsItsStatusWhateverOrderChangesArriveIn()
    {
        await Ledger.RecordAsync([Update("m-1", MessageState.Pending, 0, T0)], Ct);
        await Ledger.RecordAsync(
            [
                Update("m-1", MessageState.Applied, 2, T0.AddSeconds(9), applied: T0.AddSeconds(9)),
                Update("m-1", MessageState.RetryScheduled, 1, T0.AddSeconds(3), "HTTP 503"),
                Update("m-2", MessageState.DeadLettered, 1, T0.AddSeconds(1), "HTTP 400"),
            ],
            Ct);
        await Ledger.RecordAsync([Update("m-1", MessageState.InFlight, 2, T0.AddSeconds(8))], Ct);

        var applied = await Ledger.GetStatusAsync("ns", "m-1", T0, Ct);
        var dead = await Ledger.GetStatusAsync("ns", "m-2", T0, Ct);

        Assert.Equal((MessageState.Applied, 2), (applied!.State, applied.Attempts));
        Assert.Equal(T0.AddSeconds(9), applied.AppliedAt.ToDateTimeOffset());
        Assert.Equal((MessageState.DeadLettered, "HTTP 400"), (dead!.State, dead.LastError));
        Assert.Null(await Ledger.GetStatusAsync("ns", "m-unknown", T0, Ct));
    }

    [Fact]
    public async Task TrimForgetsAppliedStatusesAndExpiredKeysOnly()
    {
        await Ledger.RecordAsync(
            [
                Update("old", MessageState.Applied, 1, T0, applied: T0),
                Update("new", MessageState.Applied, 1, T0.AddHours(2), applied: T0.AddHours(2)),
                Update("waiting", MessageState.RetryScheduled, 1, T0),
            ],
            Ct);
        await Ledger.ClaimAsync("ns", "expired", "m-1", T0, T0.AddHours(1), Ct);
        await Ledger.ClaimAsync("ns", "alive", "m-2", T0, T0.AddHours(3), Ct);

        await Ledger.TrimAsync("ns", appliedBefore: T0.AddHours(1), now: T0.AddHours(2), Ct);

        Assert.Null(await Ledger.GetStatusAsync("ns", "old", T0, Ct));
        Assert.NotNull(await Ledger.GetStatusAsync("ns", "new", T0, Ct));
        Assert.NotNull(await Ledger.GetStatusAsync("ns", "waiting", T0, Ct));
        Assert.Equal("m-3", await Ledger.ClaimAsync("ns", "expired", "m-3", T0.AddHours(2), T0.AddHours(3), Ct));
        Assert.Equal("m-2", await Ledger.ClaimAsync("ns", "alive", "m-4", T0.AddHours(2), T0.AddHours(3), Ct));
    }

    [Fact]
    public async Task PastDeliveriesNameTheFinishedAndTheAttemptedAmongTheGivenIdsOfTheNamespace()
    {
        await Ledger.RecordAsync(
            [
                Update("applied", MessageState.Applied, 1, T0, applied: T0),
                Update("dead", MessageState.DeadLettered, 3, T0, error: "HTTP 400"),
                Update("retrying", MessageState.RetryScheduled, 1, T0),
                Update("in-flight", MessageState.InFlight, 2, T0),
                Update("pending", MessageState.Pending, 0, T0),
                Update("not-asked", MessageState.Applied, 1, T0, applied: T0),
                new LedgerUpdate("other", "applied-elsewhere", MessageState.Applied, 1, null, null, T0, T0),
            ],
            Ct);

        var past = await Ledger.PastDeliveriesAsync("ns", ["applied", "dead", "retrying", "in-flight", "pending", "unknown", "applied-elsewhere"], Ct);
        var none = await Ledger.PastDeliveriesAsync("ns", [], Ct);

        Assert.Equal(
            [("applied", new PastDelivery(true, 1)), ("dead", new PastDelivery(true, 3)), ("in-flight", new PastDelivery(false, 2)), ("retrying", new PastDelivery(false, 1))],
            past.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)));
        Assert.Empty(none);
    }
}
