using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.TestSupport;

namespace WalService.PostgresTests;

/// <summary>A transaction to a kv target on PostgreSQL, on the embedded backend: staged in chunks, applied as one.</summary>
[Collection(PostgresGroup.Name)]
public sealed class PostgresKvTransactionTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private WalServerFactory _server = null!;
    private NpgsqlDataSource _database = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var connectionString = await postgres.NewDatabaseAsync();
        _server = new WalServerFactory();
        _server.Settings["ConnectionStrings:orders_db"] = connectionString;
        _database = NpgsqlDataSource.Create(connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task TenThousandMutationsOverThreeTablesInFiftyChunksSentOutOfOrderAppearAllAtOnceAfterTheLastChunk()
    {
        var wal = _server.CreateWalClient();
        var config = new NamespaceConfig { Name = "pg-txn", Target = new Target { Kv = new KvTarget { Store = "orders_db", Table = KvTransactionRows.Tables[0] } } };
        await wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        var store = _server.Services.GetServices<IKvStore>().Single(s => s.Name == "orders_db");
        foreach (var table in KvTransactionRows.Tables)
        {
            await store.EnsureTableAsync(table, Ct);
        }

        var rows = new KvTransactionRows("bulk", 10_000);
        var chunks = rows.Chunks(config.Name, "bulk-1", 50);
        // 37 is prime to 50, so this sends every chunk once, out of order: ..., 49 (the last) 14th, ..., 27 at the end.
        var order = Enumerable.Range(0, 50).OrderBy(s => s * 37 % 50).ToList();
        Assert.NotEqual(49, order[^1]);

        string? id = null;
        foreach (var sequence in order[..^1])
        {
            var answer = await wal.Log.WriteToLogAsync(chunks[sequence], cancellationToken: Ct);
            Assert.Equal(Trilean.True, answer.Durable);
            id ??= answer.MessageId;
            Assert.Equal(id, answer.MessageId);
        }

        var staging = await wal.GetStatusAsync(config.Name, id!, Ct);
        Assert.Equal((MessageState.Staging, 49), (staging.State, staging.ChunksStaged));
        Assert.Equal(new long[] { 0, 0, 0 }, await rows.VisibleAsync(_database, Ct));

        var final = await wal.Log.WriteToLogAsync(chunks[order[^1]], cancellationToken: Ct);
        Assert.Equal((Trilean.True, id), (final.Durable, final.MessageId));
        var seen = new List<long>();
        await Eventually.WaitAsync(
            async () =>
            {
                var visible = await rows.VisibleAsync(_database, Ct);
                seen.Add(visible.Sum());
                return visible.Sum() == 10_000;
            },
            Deadline,
            "all 10,000 rows to be visible");

        Assert.All(seen, total => Assert.True(total is 0 or 10_000, $"{total} rows were visible at once"));
        Assert.Equal(new long[] { 3_334, 3_333, 3_333 }, await rows.VisibleAsync(_database, Ct));
        await Eventually.WaitAsync(async () => (await wal.GetStatusAsync(config.Name, id!, Ct)).State == MessageState.Applied, Deadline, "the transaction's status to read APPLIED");
    }
}
