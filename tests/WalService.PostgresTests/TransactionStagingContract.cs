using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.PostgresTests;

/// <summary>What every <see cref="ITransactionStagingStore"/> must do, run against each store.</summary>
public abstract class TransactionStagingContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    private static readonly byte[] LastMeta = [1, 2, 3];

    protected ITransactionStagingStore Store { get; private set; } = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => Store = await CreateStoreAsync();

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    protected abstract Task<ITransactionStagingStore> CreateStoreAsync();

    private Task<ChunkStaging> StageAsync(string txn, int sequence, bool last, string candidateId = "m-0", long maxBytes = 1 << 20, int bytes = 10, DateTimeOffset? at = null) =>
        Store.StageAsync("ns", candidateId, new TransactionChunk(txn, sequence, last, maxBytes), new byte[bytes], last ? LastMeta : null, at ?? T0, Grace, Ct);

    [Fact]
    public async Task EveryChunkAnswersTheFirstChunksIdAndOnlyTheOneThatCompletesItReturnsTheMarker()
    {
        var second = await StageAsync("t", 1, last: true, candidateId: "m-1");
        var repeat = await StageAsync("t", 1, last: true, candidateId: "m-2");
        var staging = await Store.FindAsync("ns", "m-1", Ct);
        var first = await StageAsync("t", 0, last: false, candidateId: "m-3");
        var again = await StageAsync("t", 0, last: false, candidateId: "m-4");

        Assert.Equal(["m-1", "m-1", "m-1", "m-1"], new[] { second, repeat, first, again }.Select(s => s.Result.MessageId));
        Assert.All(new[] { second, repeat, first, again }, s => Assert.Equal(Trilean.True, s.Result.Durable));
        Assert.Equal((StagingRules.Staging, 1, 1), (staging!.State, staging.Staged, staging.LastSeq));
        Assert.Null(second.Completed);
        Assert.Null(repeat.Completed);
        Assert.Null(again.Completed);
        Assert.Equal(new PendingMarker("t", "m-1", 2, LastMeta), first.Completed! with { LastMeta = LastMeta });
        Assert.Equal(LastMeta, first.Completed.LastMeta);
        Assert.Equal(StagingRules.Complete, (await Store.FindAsync("ns", "m-1", Ct))!.State);
        Assert.Equal([0, 1], (await Store.ReadChunksAsync("ns", "t", Ct)).Select(c => c.Sequence));
    }

    [Fact]
    public async Task OfFiftyChunksStagedAtOnceExactlyOneCompletesTheTransaction()
    {
        var staged = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => StageAsync("t", i, last: i == 49, candidateId: $"m-{i}"), Ct)));

        Assert.Single(staged, s => s.Completed is not null);
        Assert.Single(staged.Select(s => s.Result.MessageId).Distinct());
        Assert.All(staged, s => Assert.Equal(Trilean.True, s.Result.Durable));
        Assert.Equal(50, (await Store.ReadChunksAsync("ns", "t", Ct)).Count);
    }

    [Fact]
    public async Task ChunksTheStagedOnesRuleOutAreRefusedNamingTheFieldAndStageNothing()
    {
        await StageAsync("t", 2, last: true);
        var otherLast = await StageAsync("t", 3, last: true);
        var beyond = await StageAsync("t", 5, last: false);
        var tooBig = await StageAsync("t", 0, last: false, maxBytes: 15);
        await StageAsync("u", 4, last: false);
        var lastBelow = await StageAsync("u", 2, last: true);
        var firstTooBig = await StageAsync("v", 0, last: false, maxBytes: 5);

        Assert.All(new[] { otherLast, beyond, tooBig, lastBelow, firstTooBig }, s => Assert.Equal(StatusCode.InvalidArgument, s.Result.Code));
        Assert.StartsWith("chunk.last", otherLast.Result.Error, StringComparison.Ordinal);
        Assert.StartsWith("chunk.sequence", beyond.Result.Error, StringComparison.Ordinal);
        Assert.StartsWith("payload", tooBig.Result.Error, StringComparison.Ordinal);
        Assert.StartsWith("chunk.last", lastBelow.Result.Error, StringComparison.Ordinal);
        Assert.Single(await Store.ReadChunksAsync("ns", "t", Ct));
        Assert.Empty(await Store.ReadChunksAsync("ns", "v", Ct));
        Assert.DoesNotContain(await Store.ExpireAsync("ns", T0.AddDays(1), T0.AddDays(1), Ct), e => e.TransactionId == "v");
    }

    [Fact]
    public async Task APendingMarkerIsClaimedOnceItsGraceHasPassedAndNotWhileAnotherClaimHoldsIt()
    {
        await StageAsync("t", 0, last: true);
        await StageAsync("u", 0, last: true);
        await Store.MarkEnqueuedAsync("ns", "u", Ct);

        var early = await Store.ClaimPendingMarkersAsync("ns", T0.AddSeconds(5), Grace, Ct);
        var due = await Store.ClaimPendingMarkersAsync("ns", T0.AddSeconds(10), Grace, Ct);
        var claimedAgain = await Store.ClaimPendingMarkersAsync("ns", T0.AddSeconds(15), Grace, Ct);
        var afterClaim = await Store.ClaimPendingMarkersAsync("ns", T0.AddSeconds(20), Grace, Ct);
        await Store.MarkEnqueuedAsync("ns", "t", Ct);
        var afterEnqueued = await Store.ClaimPendingMarkersAsync("ns", T0.AddMinutes(5), Grace, Ct);

        Assert.Empty(early);
        Assert.Equal("t", Assert.Single(due).TransactionId);
        Assert.Equal(LastMeta, due[0].LastMeta);
        Assert.Empty(claimedAgain);
        Assert.Equal("t", Assert.Single(afterClaim).TransactionId);
        Assert.Empty(afterEnqueued);
    }

    [Fact]
    public async Task AnIncompleteTransactionExpiresOnceNamingItsMissingChunksAndRefusesLaterOnes()
    {
        await StageAsync("t", 0, last: false);
        await StageAsync("t", 3, last: true, candidateId: "m-9");
        await StageAsync("young", 0, last: false, at: T0.AddMinutes(10));

        var expired = await Store.ExpireAsync("ns", T0.AddMinutes(1), T0.AddMinutes(1), Ct);
        var again = await Store.ExpireAsync("ns", T0.AddMinutes(1), T0.AddMinutes(1), Ct);
        var late = await StageAsync("t", 1, last: false);
        var repeat = await StageAsync("t", 0, last: false);

        var only = Assert.Single(expired);
        Assert.Equal(("t", "m-0", T0, true), (only.TransactionId, only.MessageId, only.FirstStaged, only.LastKnown));
        Assert.Equal([1, 2], only.Missing);
        Assert.Equal(LastMeta, only.LastMeta);
        Assert.Empty(again);
        Assert.Equal(StatusCode.FailedPrecondition, late.Result.Code);
        Assert.StartsWith("chunk.transaction_id", late.Result.Error, StringComparison.Ordinal);
        Assert.Equal(Trilean.True, repeat.Result.Durable);
        Assert.Equal(2, (await Store.ReadChunksAsync("ns", "t", Ct)).Count);
    }

    [Fact]
    public async Task FinishedAndPurgedTransactionsLoseTheirChunksAndARepeatAfterIsStillAnsweredUntilTrimmed()
    {
        await StageAsync("t", 0, last: true, candidateId: "m-1");
        await StageAsync("u", 0, last: false, candidateId: "m-2");
        await Store.MarkDeliveredAsync("ns", "u", 0, Ct);
        var delivered = Assert.Single(await Store.ReadChunksAsync("ns", "u", Ct)).Delivered;

        await Store.FinishAsync("ns", "t", T0.AddSeconds(1), Ct);
        await Store.PurgeAsync("ns", ["m-2"], T0.AddSeconds(1), Ct);
        var repeat = await StageAsync("t", 0, last: true, candidateId: "m-3");
        await Store.TrimAsync("ns", T0.AddSeconds(2), Ct);
        var afterTrim = await StageAsync("t", 0, last: true, candidateId: "m-4");

        Assert.True(delivered);
        Assert.Equal(("m-1", (PendingMarker?)null), (repeat.Result.MessageId, repeat.Completed));
        Assert.Equal("m-4", afterTrim.Result.MessageId);
        Assert.NotNull(afterTrim.Completed);
        Assert.Empty(await Store.ReadChunksAsync("ns", "u", Ct));
    }

    [Fact]
    public async Task DroppingANamespaceForgetsEverythingOfItAndNothingElse()
    {
        await StageAsync("t", 0, last: false);
        await Store.StageAsync("other", "m-5", new TransactionChunk("t", 0, false, 1 << 20), new byte[3], null, T0, Grace, Ct);

        await Store.TrimAsync("ns", null, Ct);

        Assert.Empty(await Store.ReadChunksAsync("ns", "t", Ct));
        Assert.Null(await Store.FindAsync("ns", "m-0", Ct));
        Assert.Single(await Store.ReadChunksAsync("other", "t", Ct));
    }
}
