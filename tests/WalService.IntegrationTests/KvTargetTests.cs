using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

public sealed class KvTargetTests(WalServerFactory factory) : ServerTest(factory)
{
    private IKvStore Store => Factory.Services.GetServices<IKvStore>().Single(s => s.Name == "embedded");

    private static NamespaceConfig KvNamespace() => new()
    {
        Name = Namespaces.UniqueName("kv"),
        Target = new Target { Kv = new KvTarget { Table = "orders" } },
    };

    private static KvMutation Put(string table, string pk, string sk, string value) =>
        new() { Table = table, PartitionKey = pk, SortKey = sk, PutValue = ByteString.CopyFromUtf8(value) };

    [Fact]
    public async Task ABatchOfPutsAndDeletesAcrossTwoTablesLandsTogether()
    {
        var config = await CreateAsync(KvNamespace());
        await Store.ApplyAsync("setup", "seed", "orders", new KvMutationBatch { Mutations = { Put("orders", "o-9", "line-1", "stale") } }, Ct);
        var batch = new KvMutationBatch
        {
            Mutations =
            {
                Put(string.Empty, "o-1", "line-1", "2 apples"),
                Put("customers", "c-1", "profile", "alice"),
                new KvMutation { PartitionKey = "o-9", SortKey = "line-1", Delete = true },
            },
        };

        var write = await Wal.Log.WriteToLogAsync(new WriteToLogRequest { Namespace = config.Name, Payload = batch.ToByteString() }, cancellationToken: Ct);
        await WaitForStateAsync(config.Name, write.MessageId, MessageState.Applied);

        Assert.Equal("2 apples", await ValueAsync("orders", "o-1", "line-1"));
        Assert.Equal("alice", await ValueAsync("customers", "c-1", "profile"));
        Assert.Null(await ValueAsync("orders", "o-9", "line-1"));
    }

    [Fact]
    public async Task AnUnparsablePayloadIsDeadLettered()
    {
        var config = await CreateAsync(KvNamespace());

        var write = await Wal.Log.WriteToLogAsync(new WriteToLogRequest { Namespace = config.Name, Payload = ByteString.CopyFrom(0xFF, 0xFF, 0xFF) }, cancellationToken: Ct);
        var status = await WaitForStateAsync(config.Name, write.MessageId, MessageState.DeadLettered);

        Assert.Contains("KvMutationBatch", status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSameMessageDeliveredTwiceAppliesOnce()
    {
        var first = new KvMutationBatch { Mutations = { Put("counters", "c", "1", "first") } };
        var second = new KvMutationBatch { Mutations = { Put("counters", "c", "1", "second") } };

        var appliedFirst = await Store.ApplyAsync("ns-dup", "msg-1", "counters", first, Ct);
        var appliedAgain = await Store.ApplyAsync("ns-dup", "msg-1", "counters", second, Ct);

        Assert.True(appliedFirst);
        Assert.False(appliedAgain);
        Assert.Equal("first", await ValueAsync("counters", "c", "1"));
    }

    private async Task<string?> ValueAsync(string table, string pk, string sk) =>
        await Store.GetAsync(table, pk, sk, Ct) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;
}
