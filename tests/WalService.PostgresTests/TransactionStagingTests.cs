using Npgsql;
using WalService.Core.Abstractions;
using WalService.Postgres.ControlPlane;
using WalService.Postgres.Ledger;
using WalService.Sqlite.Ledger;

namespace WalService.PostgresTests;

public sealed class SqliteTransactionStagingTests : TransactionStagingContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-staging-").FullName;
    private SqliteTransactionStaging? _store;

    public override async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
        await base.DisposeAsync();
    }

    protected override Task<ITransactionStagingStore> CreateStoreAsync()
    {
        _store = new SqliteTransactionStaging(Path.Combine(_folder, "control.db"));
        return Task.FromResult<ITransactionStagingStore>(_store);
    }
}

[Collection(PostgresGroup.Name)]
public sealed class PostgresTransactionStagingTests(PostgresFixture postgres) : TransactionStagingContract
{
    protected override async Task<ITransactionStagingStore> CreateStoreAsync() =>
        new PostgresTransactionStaging(new PostgresSchema(NpgsqlDataSource.Create(await postgres.NewDatabaseAsync())));
}
