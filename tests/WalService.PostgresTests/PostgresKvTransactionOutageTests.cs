using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.PostgresTests;

/// <summary>
/// PostgreSQL, the kv target of a transaction on the embedded backend, stopped before the transaction is applied or
/// while it is: the delivery is retried, none of its rows is ever visible without all the others, and it is applied
/// once when PostgreSQL is back. A PostgreSQL server of its own, since these tests stop it.
/// </summary>
public sealed class PostgresKvTransactionOutageTests : IAsyncLifetime
{
    private const int Mutations = 3_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly KvTransactionRows _rows = new("outage", Mutations);
    private PostgresServer _postgres = null!;
    private WalServerFactory _server = null!;
    private NpgsqlDataSource _database = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        var connectionString = await _postgres.CreateDatabaseAsync("outage");
        _server = new WalServerFactory();
        _server.Settings["ConnectionStrings:orders_db"] = connectionString;
        _database = NpgsqlDataSource.Create(connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _database.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task ATransactionCompletedWhilePostgresIsDownIsRetriedAndAppliedWhenItIsBack()
    {
        var (wal, ns) = await CreateNamespaceAsync();
        await _postgres.HaltAsync();

        var id = await WriteChunksAsync(wal, ns);
        var retrying = await Eventually.WaitAsync(
            async () => await wal.GetStatusAsync(ns, id, Ct) is { State: MessageState.RetryScheduled, Attempts: >= 2 } status ? status : null,
            Deadline,
            "the transaction's delivery to fail and be retried");
        Assert.Contains("kv store 'orders_db' failed", retrying.LastError, StringComparison.Ordinal);

        await _postgres.ResumeAsync();
        await AssertAppliedAllAtOnceAsync(wal, ns, id);
    }

    [Fact]
    public async Task PostgresStoppedWhileATransactionIsBeingAppliedLeavesNoneOfItAndItIsAppliedOnceWhenBack()
    {
        var (wal, ns) = await CreateNamespaceAsync();
        string id;
        await using (var blocker = await _database.OpenConnectionAsync(Ct))
        {
            // Writes to the last table wait for this lock, so the apply stops half-way: rows of the first two tables in.
            await using var lockTransaction = await blocker.BeginTransactionAsync(Ct);
            await using (var lockTable = new NpgsqlCommand($"LOCK TABLE \"{KvTransactionRows.Tables[^1]}\" IN EXCLUSIVE MODE", blocker, lockTransaction))
            {
                await lockTable.ExecuteNonQueryAsync(Ct);
            }

            id = await WriteChunksAsync(wal, ns);
            await Eventually.WaitAsync(
                async () => await ScalarAsync($"SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '\"{KvTransactionRows.Tables[^1]}\"'::regclass") > 0,
                Deadline,
                "the apply to wait for the lock, half-way through the transaction");
            Assert.Equal(0, (await _rows.VisibleAsync(_database, Ct)).Sum());

            await _postgres.HaltAsync();
        }

        var retrying = await Eventually.WaitAsync(
            async () => await wal.GetStatusAsync(ns, id, Ct) is { State: MessageState.RetryScheduled, Attempts: >= 1 } status ? status : null,
            Deadline,
            "the interrupted delivery to be retried");
        Assert.Contains("kv store 'orders_db' failed", retrying.LastError, StringComparison.Ordinal);

        await _postgres.ResumeAsync();
        await AssertAppliedAllAtOnceAsync(wal, ns, id);
    }

    private async Task<(WalService.Client.WalClient Wal, string Ns)> CreateNamespaceAsync()
    {
        var wal = _server.CreateWalClient();
        var config = new NamespaceConfig
        {
            Name = "pg-txn-outage",
            Target = new Target { Kv = new KvTarget { Store = "orders_db", Table = KvTransactionRows.Tables[0] } },
            Retry = TestNamespaces.FastRetries(1_000),
        };
        await wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        var store = _server.Services.GetServices<IKvStore>().Single(s => s.Name == "orders_db");
        foreach (var table in KvTransactionRows.Tables)
        {
            await store.EnsureTableAsync(table, Ct);
        }

        return (wal, config.Name);
    }

    /// <summary>Sends the transaction's 10 chunks, the last first; answers its message id.</summary>
    private async Task<string> WriteChunksAsync(WalService.Client.WalClient wal, string ns)
    {
        var answers = new List<WriteToLogResponse>();
        foreach (var chunk in Enumerable.Reverse(_rows.Chunks(ns, "outage-1", 10)))
        {
            answers.Add(await wal.Log.WriteToLogAsync(chunk, cancellationToken: Ct));
        }

        Assert.All(answers, a => Assert.Equal((Trilean.True, answers[0].MessageId), (a.Durable, a.MessageId)));
        return answers[0].MessageId;
    }

    /// <summary>Polls the rows until all are visible, holding every sample to none or all; then the status and one apply.</summary>
    private async Task AssertAppliedAllAtOnceAsync(WalService.Client.WalClient wal, string ns, string id)
    {
        var seen = new List<long>();
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    seen.Add((await _rows.VisibleAsync(_database, Ct)).Sum());
                }
                catch (NpgsqlException)
                {
                    // A pooled connection from before the restart; the pool opens a new one next time.
                    return false;
                }

                return seen[^1] == Mutations;
            },
            Deadline,
            "every row of the transaction to be visible");

        Assert.All(seen, total => Assert.True(total is 0 or Mutations, $"{total} of {Mutations} rows were visible at once"));
        Assert.Equal(Mutations, (await _rows.VisibleAsync(_database, Ct)).Sum());
        await Eventually.WaitAsync(async () => (await wal.GetStatusAsync(ns, id, Ct)).State == MessageState.Applied, Deadline, "the status to read APPLIED");
        Assert.Equal(1, await ScalarAsync($"SELECT count(*) FROM wal_kv_applied WHERE ns = '{ns}' AND message_id = '{id}'"));
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = _database.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
