using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using Xunit;

namespace WalService.TestSupport;

/// <summary>Transactions on every backend: chunks staged as they come, delivered in order once the last is in.</summary>
public abstract partial class BackendAcceptanceContract
{
    [Fact]
    public async Task ATransactionSentOutOfOrderIsStagingUntilItsLastChunkThenEachChunkArrivesInOrderAndARetryResumesAtTheChunkThatFailed()
    {
        var ns = await CreateConsumingAsync(Namespace(Target.Url("/fail-chunk/2"), maxAttempts: 5));
        var txn = "http-" + Guid.NewGuid().ToString("N");
        var ids = new List<string>();
        foreach (var sequence in new[] { 3, 1, 0 })
        {
            ids.Add(await WriteChunkAsync(ns.Name, txn, sequence, last: sequence == 3));
        }

        var staging = await Wal.GetStatusAsync(ns.Name, ids[0], Ct);
        var receivedBefore = Target.For(ids[0]).Count;
        ids.Add(await WriteChunkAsync(ns.Name, txn, 2, last: false));
        await WaitForStateAsync(ns.Name, ids[0], MessageState.Applied);

        Assert.All(ids, id => Assert.Equal(ids[0], id));
        Assert.Equal(MessageState.Staging, staging.State);
        Assert.Equal(3, staging.ChunksStaged);
        Assert.Equal(0, receivedBefore);
        var received = Target.For(ids[0]);
        Assert.Equal(["0", "1", "2", "2", "3"], received.Select(r => r.Headers["wal-chunk"]));
        Assert.Equal([200, 200, 503, 200, 200], received.Select(r => r.AnsweredStatus));
        Assert.Equal(["chunk 0", "chunk 1", "chunk 2", "chunk 2", "chunk 3"], received.Select(r => System.Text.Encoding.UTF8.GetString(r.Body)));
        Assert.All(received, r => Assert.Equal(txn, r.Headers["wal-transaction-id"]));
        Assert.All(received, r => Assert.Equal("4", r.Headers["wal-chunk-count"]));
    }

    [Fact]
    public async Task AChunkSentAgainBeforeAndAfterItsTransactionWasAppliedAnswersTheSameIdAndDeliversNothingTwice()
    {
        var ns = await CreateConsumingAsync(Namespace(Target.Url("/ok")));
        var txn = "again-" + Guid.NewGuid().ToString("N");

        var first = await WriteChunkAsync(ns.Name, txn, 0, last: false);
        var repeat = await WriteChunkAsync(ns.Name, txn, 0, last: false);
        var staged = await Wal.GetStatusAsync(ns.Name, first, Ct);
        var last = await WriteChunkAsync(ns.Name, txn, 1, last: true);
        await WaitForStateAsync(ns.Name, first, MessageState.Applied);
        var afterApplied = await WriteChunkAsync(ns.Name, txn, 1, last: true);
        var status = await Wal.GetStatusAsync(ns.Name, first, Ct);

        Assert.Equal([first, first, first], new[] { repeat, last, afterApplied });
        Assert.Equal(1, staged.ChunksStaged);
        Assert.Equal(MessageState.Applied, status.State);
        Assert.Equal(["0", "1"], Target.For(first).Select(r => r.Headers["wal-chunk"]));
    }

    [Fact]
    public async Task ATransactionIncompletePastItsTimeoutIsOneDeadLetterNamingTheMissingChunksThatRedriveLeavesAndPurgeRemoves()
    {
        var config = Namespace(Target.Url("/ok"));
        config.Transactions = new TransactionSettings { Timeout = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200)) };
        var ns = await CreateConsumingAsync(config);
        var txn = "late-" + Guid.NewGuid().ToString("N");
        string id = string.Empty;
        foreach (var sequence in new[] { 0, 2, 4 })
        {
            id = await WriteChunkAsync(ns.Name, txn, sequence, last: sequence == 4);
        }

        var dead = await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);
        var listed = await DeadLettersAsync(ns.Name);
        var redriven = await Wal.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
        var late = await AssertRpcErrorAsync(
            StatusCode.FailedPrecondition,
            () => Wal.Log.WriteToLogAsync(ChunkRequest(ns.Name, txn, 1, last: false), cancellationToken: Ct).ResponseAsync);
        var purged = await Wal.Admin.PurgeDeadLettersAsync(new PurgeDeadLettersRequest { Namespace = ns.Name, MessageIds = { id } }, cancellationToken: Ct);

        Assert.Equal("incomplete transaction: missing chunks 1, 3", dead.LastError);
        Assert.Equal(id, Assert.Single(listed.DeadLetters).MessageId);
        Assert.Equal(0, redriven.Redriven);
        Assert.Contains("chunk.transaction_id", late.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1, purged.Purged);
        Assert.Empty((await DeadLettersAsync(ns.Name)).DeadLetters);
        Assert.Empty(Target.For(id));
    }

    private async Task<string> WriteChunkAsync(string ns, string txn, int sequence, bool last)
    {
        var response = await Wal.Log.WriteToLogAsync(ChunkRequest(ns, txn, sequence, last), cancellationToken: Ct);
        Assert.True(response.Durable == Trilean.True, $"chunk {sequence} answered {response.Durable}: {response.Message}");
        return response.MessageId;
    }

    private static WriteToLogRequest ChunkRequest(string ns, string txn, int sequence, bool last) => new()
    {
        Namespace = ns,
        Payload = ByteString.CopyFromUtf8($"chunk {sequence}"),
        Chunk = new Chunk { TransactionId = txn, Sequence = sequence, Last = last },
    };
}
