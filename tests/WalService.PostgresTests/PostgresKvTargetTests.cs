using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.TestSupport;

namespace WalService.PostgresTests;

/// <summary>The kv target on PostgreSQL: <c>KvTarget.store</c> names the connection string <c>orders_db</c>.</summary>
[Collection(PostgresGroup.Name)]
public sealed class PostgresKvTargetTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private WalServerFactory _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IKvStore Store => _server.Services.GetServices<IKvStore>().Single(s => s.Name == "orders_db");

    public async ValueTask InitializeAsync()
    {
        _server = new WalServerFactory();
        _server.Settings["ConnectionStrings:orders_db"] = await postgres.NewDatabaseAsync();
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static KvMutation Put(string table, string pk, string sk, string value) =>
        new() { Table = table, PartitionKey = pk, SortKey = sk, PutValue = ByteString.CopyFromUtf8(value) };

    [Fact]
    public async Task PutsAndDeletesAcrossTwoTablesLandTogether()
    {
        var wal = _server.CreateWalClient();
        var config = new NamespaceConfig { Name = "pg-kv", Target = new Target { Kv = new KvTarget { Store = "orders_db", Table = "orders" } } };
        await wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        await Store.ApplyAsync("seed", "seed-1", "orders", new KvMutationBatch { Mutations = { Put("orders", "o-9", "l-1", "stale") } }, Ct);
        var batch = new KvMutationBatch
        {
            Mutations =
            {
                Put(string.Empty, "o-1", "l-1", "2 apples"),
                Put("customers", "c-1", "profile", "alice"),
                new KvMutation { PartitionKey = "o-9", SortKey = "l-1", Delete = true },
            },
        };

        var written = await wal.Log.WriteToLogAsync(new WriteToLogRequest { Namespace = config.Name, Payload = batch.ToByteString() }, cancellationToken: Ct);
        await Eventually.WaitAsync(
            async () => (await wal.GetStatusAsync(config.Name, written.MessageId, Ct)).State == MessageState.Applied,
            Deadline,
            "the batch to be applied");

        Assert.Equal("2 apples", await ValueAsync("orders", "o-1", "l-1"));
        Assert.Equal("alice", await ValueAsync("customers", "c-1", "profile"));
        Assert.Null(await ValueAsync("orders", "o-9", "l-1"));
    }

    [Fact]
    public async Task TheSameMessageDeliveredTwiceAppliesOnce()
    {
        var first = new KvMutationBatch { Mutations = { Put("counters", "c", "1", "first") } };
        var second = new KvMutationBatch { Mutations = { Put("counters", "c", "1", "second") } };

        Assert.True(await Store.ApplyAsync("ns", "m-1", "counters", first, Ct));
        Assert.False(await Store.ApplyAsync("ns", "m-1", "counters", second, Ct));
        Assert.Equal("first", await ValueAsync("counters", "c", "1"));
    }

    [Fact]
    public async Task WithinABatchTheLaterMutationOfAKeyWins()
    {
        await Store.ApplyAsync("seed", "seed-2", "orders", new KvMutationBatch { Mutations = { Put("orders", "gone", "1", "old"), Put("orders", "back", "1", "old") } }, Ct);
        var batch = new KvMutationBatch
        {
            Mutations =
            {
                Put(string.Empty, "twice", "1", "first"),
                Put("orders", "twice", "1", "second"),
                Put("orders", "put-then-delete", "1", "short-lived"),
                new KvMutation { Table = "orders", PartitionKey = "put-then-delete", SortKey = "1", Delete = true },
                new KvMutation { PartitionKey = "gone", SortKey = "1", Delete = true },
                new KvMutation { Table = "orders", PartitionKey = "back", SortKey = "1", Delete = true },
                Put("orders", "back", "1", "new"),
                Put("customers", "twice", "1", "other table"),
            },
        };

        Assert.True(await Store.ApplyAsync("ns", "m-later", "orders", batch, Ct));

        Assert.Equal("second", await ValueAsync("orders", "twice", "1"));
        Assert.Null(await ValueAsync("orders", "put-then-delete", "1"));
        Assert.Null(await ValueAsync("orders", "gone", "1"));
        Assert.Equal("new", await ValueAsync("orders", "back", "1"));
        Assert.Equal("other table", await ValueAsync("customers", "twice", "1"));
    }

    private async Task<string?> ValueAsync(string table, string pk, string sk) =>
        await Store.GetAsync(table, pk, sk, Ct) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;
}
