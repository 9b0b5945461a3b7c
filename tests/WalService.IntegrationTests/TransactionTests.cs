using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>Transactions on the embedded log: chunks staged in wal.db, one completion marker, delivery as one unit.</summary>
public sealed class TransactionTests(WalServerFactory factory) : ServerTest(factory)
{
    private IKvStore Store => Factory.Services.GetServices<IKvStore>().Single(s => s.Name == "embedded");

    private IStagedChunks Staging => Factory.Services.GetServices<ILogBackend>().Single(b => b.Kind == Core.Model.BackendKind.Embedded);

    private static NamespaceConfig KvNamespace() => new()
    {
        Name = Namespaces.UniqueName("txn-kv"),
        Target = new Target { Kv = new KvTarget { Table = "items" } },
    };

    private static WriteToLogRequest Chunk(string ns, string txn, int sequence, bool last, params KvMutation[] mutations) => new()
    {
        Namespace = ns,
        Payload = new KvMutationBatch { Mutations = { mutations } }.ToByteString(),
        Chunk = new Chunk { TransactionId = txn, Sequence = sequence, Last = last },
    };

    private static KvMutation Put(string table, string pk, string value) =>
        new() { Table = table, PartitionKey = pk, SortKey = "v", PutValue = ByteString.CopyFromUtf8(value) };

    [Fact]
    public async Task ChunksSentOutOfOrderToAKvTargetApplyAsOneOnlyAfterTheLastArrives()
    {
        var config = await CreateAsync(KvNamespace());
        var txn = "order-" + Guid.NewGuid().ToString("N");

        var early = await Wal.Log.WriteToLogBatchAsync(
            new WriteToLogBatchRequest
            {
                Entries =
                {
                    Chunk(config.Name, txn, 2, last: true, Put("index", "by-name:widget", "item-1"), Put("items", "item-1", "widget v2")),
                    Chunk(config.Name, txn, 0, last: false, Put("items", "item-1", "widget v1")),
                },
            },
            cancellationToken: Ct);
        var staging = await Wal.GetStatusAsync(config.Name, early.Results[0].MessageId, Ct);
        var visibleBefore = await ValueAsync("items", "item-1");
        var completing = await Wal.Log.WriteToLogAsync(Chunk(config.Name, txn, 1, last: false, Put("stock", "item-1", "7")), cancellationToken: Ct);
        await WaitForStateAsync(config.Name, completing.MessageId, MessageState.Applied);

        Assert.All(early.Results, r => Assert.Equal(Trilean.True, r.Durable));
        Assert.Equal(Trilean.True, completing.Durable);
        Assert.Equal(early.Results[0].MessageId, early.Results[1].MessageId);
        Assert.Equal(early.Results[0].MessageId, completing.MessageId);
        Assert.Equal(MessageState.Staging, staging.State);
        Assert.Equal(2, staging.ChunksStaged);
        Assert.Null(visibleBefore);
        Assert.Equal("widget v2", await ValueAsync("items", "item-1"));
        Assert.Equal("item-1", await ValueAsync("index", "by-name:widget"));
        Assert.Equal("7", await ValueAsync("stock", "item-1"));
        Assert.Empty(await Staging.ReadChunksAsync(config.Name, txn, Ct));
    }

    [Fact]
    public async Task AWholeTransactionInOneBatchIsJudgedChunkByChunkInOrderWithItsRepeatsAndRefusals()
    {
        var config = await CreateAsync(KvNamespace());
        var txn = "batch-" + Guid.NewGuid().ToString("N");
        var empty = new WriteToLogRequest { Namespace = config.Name, Chunk = new Chunk { TransactionId = txn, Sequence = 2 } };

        var answers = (await Wal.Log.WriteToLogBatchAsync(
            new WriteToLogBatchRequest
            {
                Entries =
                {
                    Chunk(config.Name, txn, 1, last: false, Put("items", "c1", "one")),
                    Chunk(config.Name, txn, 0, last: false, Put("items", "c0", "zero")),
                    Chunk(config.Name, txn, 1, last: false, Put("items", "c1", "changed")),
                    Chunk(config.Name, txn, 3, last: true, Put("index", "c3", "three")),
                    Chunk(config.Name, txn, 4, last: false, Put("items", "c4", "beyond")),
                    empty,
                    Chunk(config.Name, txn, 0, last: false, Put("items", "c0", "again")),
                },
            },
            cancellationToken: Ct)).Results;
        await WaitForStateAsync(config.Name, answers[0].MessageId, MessageState.Applied);

        Assert.Equal([Trilean.True, Trilean.True, Trilean.True, Trilean.True, Trilean.False, Trilean.True, Trilean.True], answers.Select(a => a.Durable));
        Assert.Single(answers.Where(a => a.Durable == Trilean.True).Select(a => a.MessageId).Distinct());
        Assert.Equal((int)StatusCode.InvalidArgument, answers[4].Code);
        Assert.Contains("chunk.sequence 4", answers[4].Message, StringComparison.Ordinal);
        Assert.Equal(("zero", "one", "three"), (await ValueAsync("items", "c0"), await ValueAsync("items", "c1"), await ValueAsync("index", "c3")));
        Assert.Null(await ValueAsync("items", "c4"));
        Assert.Empty(await Staging.ReadChunksAsync(config.Name, txn, Ct));
    }

    [Fact]
    public async Task AChunkSentAgainAnswersTrueWithTheSameIdAndStagesNothingMore()
    {
        var config = await CreateAsync(KvNamespace());
        var txn = "resend-" + Guid.NewGuid().ToString("N");

        var first = await Wal.Log.WriteToLogAsync(Chunk(config.Name, txn, 0, last: false, Put("items", "a", "1")), cancellationToken: Ct);
        var again = await Wal.Log.WriteToLogAsync(Chunk(config.Name, txn, 0, last: false, Put("items", "a", "changed")), cancellationToken: Ct);
        var status = await Wal.GetStatusAsync(config.Name, first.MessageId, Ct);

        Assert.Equal(Trilean.True, again.Durable);
        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal(1, status.ChunksStaged);
        var staged = Assert.Single(await Staging.ReadChunksAsync(config.Name, txn, Ct));
        Assert.Equal("1", KvMutationBatch.Parser.ParseFrom(staged.Payload.Span).Mutations[0].PutValue.ToStringUtf8());
    }

    [Fact]
    public async Task AChunkOfAnAppliedTransactionSentAgainAppliesNothingTwice()
    {
        var config = await CreateAsync(KvNamespace());
        var txn = "again-" + Guid.NewGuid().ToString("N");
        var only = await Wal.Log.WriteToLogAsync(Chunk(config.Name, txn, 0, last: true, Put("items", "b", "first")), cancellationToken: Ct);
        await WaitForStateAsync(config.Name, only.MessageId, MessageState.Applied);
        await Store.ApplyAsync("other", "other-id", "items", new KvMutationBatch { Mutations = { Put("items", "b", "later") } }, Ct);

        var again = await Wal.Log.WriteToLogAsync(Chunk(config.Name, txn, 0, last: true, Put("items", "b", "first")), cancellationToken: Ct);
        var status = await Wal.GetStatusAsync(config.Name, only.MessageId, Ct);

        Assert.Equal(only.MessageId, again.MessageId);
        Assert.Equal(MessageState.Applied, status.State);
        Assert.Equal("later", await ValueAsync("items", "b"));
    }

    [Fact]
    public async Task AnHttpTargetGetsEachChunkInOrderAndARetryResumesAtTheChunkThatFailed()
    {
        // 503 to the third chunk of five (sequence 2) the first time it comes.
        var config = Namespaces.Http(Target.Url("/fail-chunk/2"), "txn-http");
        await CreateAsync(config);
        var txn = "http-" + Guid.NewGuid().ToString("N");
        string? id = null;

        foreach (var sequence in new[] { 3, 1, 4, 0, 2 })
        {
            var request = new WriteToLogRequest
            {
                Namespace = config.Name,
                Payload = ByteString.CopyFromUtf8($"chunk {sequence}"),
                Chunk = new Chunk { TransactionId = txn, Sequence = sequence, Last = sequence == 4 },
            };
            id = (await Wal.Log.WriteToLogAsync(request, cancellationToken: Ct)).MessageId;
        }

        await WaitForStateAsync(config.Name, id!, MessageState.Applied);

        var received = Target.For(id!);
        Assert.Equal(["0", "1", "2", "2", "3", "4"], received.Select(r => r.Headers["wal-chunk"]));
        Assert.Equal([200, 200, 503, 200, 200, 200], received.Select(r => r.AnsweredStatus));
        Assert.Equal(["chunk 0", "chunk 1", "chunk 2", "chunk 2", "chunk 3", "chunk 4"], received.Select(r => System.Text.Encoding.UTF8.GetString(r.Body)));
        Assert.All(received, r => Assert.Equal(txn, r.Headers["wal-transaction-id"]));
        Assert.All(received, r => Assert.Equal("5", r.Headers["wal-chunk-count"]));
        Assert.Empty(await Staging.ReadChunksAsync(config.Name, txn, Ct));
    }

    [Fact]
    public async Task ARedrivenTransactionResumesAtTheChunkThatWasNotDelivered()
    {
        var config = await CreateAsync(Namespaces.Http(Target.Url("/fail-chunk/1"), "txn-redrive", maxAttempts: 1));
        var txn = "redrive-" + Guid.NewGuid().ToString("N");
        string? id = null;
        for (var sequence = 0; sequence < 3; sequence++)
        {
            var request = new WriteToLogRequest
            {
                Namespace = config.Name,
                Payload = ByteString.CopyFromUtf8($"chunk {sequence}"),
                Chunk = new Chunk { TransactionId = txn, Sequence = sequence, Last = sequence == 2 },
            };
            id = (await Wal.Log.WriteToLogAsync(request, cancellationToken: Ct)).MessageId;
        }

        await WaitForStateAsync(config.Name, id!, MessageState.DeadLettered);

        var redriven = await Wal.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = config.Name, MessageIds = { id! } }, cancellationToken: Ct);
        await WaitForStateAsync(config.Name, id!, MessageState.Applied);

        Assert.Equal(1, redriven.Redriven);
        Assert.Equal(["0", "1", "1", "2"], Target.For(id!).Select(r => r.Headers["wal-chunk"]));
    }

    [Fact]
    public async Task PurgingADeadLetteredTransactionRemovesItsChunks()
    {
        var config = await CreateAsync(Namespaces.Http(Target.Url("/status/400"), "txn-dead"));
        var txn = "dead-" + Guid.NewGuid().ToString("N");
        await Wal.Log.WriteToLogAsync(new WriteToLogRequest { Namespace = config.Name, Payload = ByteString.CopyFromUtf8("a"), Chunk = new Chunk { TransactionId = txn, Sequence = 0 } }, cancellationToken: Ct);
        var last = await Wal.Log.WriteToLogAsync(new WriteToLogRequest { Namespace = config.Name, Payload = ByteString.CopyFromUtf8("b"), Chunk = new Chunk { TransactionId = txn, Sequence = 1, Last = true } }, cancellationToken: Ct);
        await WaitForStateAsync(config.Name, last.MessageId, MessageState.DeadLettered);
        var stagedWhileDead = await Staging.ReadChunksAsync(config.Name, txn, Ct);

        var purged = await Wal.Admin.PurgeDeadLettersAsync(new PurgeDeadLettersRequest { Namespace = config.Name, MessageIds = { last.MessageId } }, cancellationToken: Ct);

        Assert.Equal(2, stagedWhileDead.Count);
        Assert.Equal(1, purged.Purged);
        Assert.Empty(await Staging.ReadChunksAsync(config.Name, txn, Ct));
    }

    [Fact]
    public async Task ATransactionIncompletePastItsTimeoutBecomesOneDeadLetterNamingTheMissingChunksThatRedriveLeaves()
    {
        var config = KvNamespace();
        config.Transactions = new TransactionSettings { Timeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200)) };
        await CreateAsync(config);
        var txn = "late-" + Guid.NewGuid().ToString("N");
        foreach (var sequence in new[] { 0, 2, 4 })
        {
            await Wal.Log.WriteToLogAsync(Chunk(config.Name, txn, sequence, last: sequence == 4, Put("items", "z", "v")), cancellationToken: Ct);
        }

        var id = (await Wal.Log.WriteToLogAsync(Chunk(config.Name, txn, 0, last: false), cancellationToken: Ct)).MessageId;
        var dead = await Eventually.WaitAsync(
            async () =>
            {
                var status = await Wal.GetStatusAsync(config.Name, id, Ct);
                return status.State == MessageState.DeadLettered ? status : null;
            },
            TimeSpan.FromSeconds(20),
            $"transaction {id} to be dead-lettered incomplete");
        var redriven = await Wal.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = config.Name }, cancellationToken: Ct);
        var late = await AssertRpcErrorAsync(
            StatusCode.FailedPrecondition,
            () => Wal.Log.WriteToLogAsync(Chunk(config.Name, txn, 1, last: false), cancellationToken: Ct).ResponseAsync);
        var stagedWhileDead = await Staging.ReadChunksAsync(config.Name, txn, Ct);
        var purged = await Wal.Admin.PurgeDeadLettersAsync(new PurgeDeadLettersRequest { Namespace = config.Name }, cancellationToken: Ct);

        Assert.Equal("incomplete transaction: missing chunks 1, 3", dead.LastError);
        Assert.Equal(0, redriven.Redriven);
        Assert.Contains("chunk.transaction_id", late.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(3, stagedWhileDead.Count);
        Assert.Equal(1, purged.Purged);
        Assert.Empty(await Staging.ReadChunksAsync(config.Name, txn, Ct));
        Assert.Null(await ValueAsync("items", "z"));
    }

    [Theory]
    [InlineData("", 0, false, "chunk.transaction_id")]
    [InlineData("has space", 0, false, "chunk.transaction_id")]
    [InlineData("ok", -1, false, "chunk.sequence")]
    [InlineData("ok", 4, false, "chunk.sequence")]
    public async Task AMalformedChunkIsRefusedNamingItsField(string txn, int sequence, bool last, string field)
    {
        var config = KvNamespace();
        config.Transactions = new TransactionSettings { MaxChunks = 4 };
        await CreateAsync(config);

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Log.WriteToLogAsync(Chunk(config.Name, txn, sequence, last), cancellationToken: Ct).ResponseAsync,
            field);
    }

    [Fact]
    public async Task ATransactionIdLongerThan128CharactersIsRefused()
    {
        var config = await CreateAsync(KvNamespace());

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Log.WriteToLogAsync(Chunk(config.Name, new string('t', 129), 0, false), cancellationToken: Ct).ResponseAsync,
            "chunk.transaction_id");
    }

    [Fact]
    public async Task ChunksTheStagedOnesRuleOutAreRefusedNamingTheField()
    {
        var config = KvNamespace();
        config.Transactions = new TransactionSettings { MaxBytes = 64 };
        await CreateAsync(config);
        var txn = "rules-" + Guid.NewGuid().ToString("N");
        await Wal.Log.WriteToLogAsync(Chunk(config.Name, txn, 2, last: true), cancellationToken: Ct);

        var secondLast = await Wal.Log.WriteToLogBatchAsync(new WriteToLogBatchRequest { Entries = { Chunk(config.Name, txn, 1, last: true) } }, cancellationToken: Ct);
        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Wal.Log.WriteToLogAsync(Chunk(config.Name, txn, 3, last: false), cancellationToken: Ct).ResponseAsync, "chunk.sequence");
        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Log.WriteToLogAsync(Chunk(config.Name, txn, 0, last: false, Put("items", "x", new string('v', 80))), cancellationToken: Ct).ResponseAsync,
            "transactions.max_bytes");
        var otherTxn = "rules-" + Guid.NewGuid().ToString("N");
        await Wal.Log.WriteToLogAsync(Chunk(config.Name, otherTxn, 5, last: false), cancellationToken: Ct);
        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Wal.Log.WriteToLogAsync(Chunk(config.Name, otherTxn, 4, last: true), cancellationToken: Ct).ResponseAsync, "chunk.last");

        Assert.Equal(Trilean.False, secondLast.Results[0].Durable);
        Assert.Equal((int)StatusCode.InvalidArgument, secondLast.Results[0].Code);
        Assert.Contains("chunk.last", secondLast.Results[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 0L, "config.transactions.max_chunks")]
    [InlineData(0, -5L, "config.transactions.max_bytes")]
    public async Task ANamespaceWithBadTransactionSettingsIsRefusedNamingTheField(int maxChunks, long maxBytes, string field)
    {
        var config = KvNamespace();
        config.Transactions = new TransactionSettings { MaxChunks = maxChunks, MaxBytes = maxBytes };

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct).ResponseAsync,
            field);
    }

    private async Task<string?> ValueAsync(string table, string pk) =>
        await Store.GetAsync(table, pk, "v", Ct) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;
}
