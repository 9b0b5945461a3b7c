using Npgsql;
using WalService.Core.Abstractions;
using WalService.Sqlite.Ledger;
using WalService.Postgres.ControlPlane;
using WalService.Postgres.Ledger;

namespace WalService.PostgresTests;

public sealed class SqliteMessageLedgerTests : MessageLedgerContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-ledger-").FullName;
    private SqliteMessageLedger? _ledger;

    public override async ValueTask DisposeAsync()
    {
        if (_ledger is not null)
        {
            await _ledger.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
        await base.DisposeAsync();
    }

    protected override Task<IMessageLedgerStore> CreateLedgerAsync()
    {
        _ledger = new SqliteMessageLedger(Path.Combine(_folder, "control.db"));
        return Task.FromResult<IMessageLedgerStore>(_ledger);
    }
}

[Collection(PostgresGroup.Name)]
public sealed class PostgresMessageLedgerTests(PostgresFixture postgres) : MessageLedgerContract
{
    protected override async Task<IMessageLedgerStore> CreateLedgerAsync() =>
        new PostgresMessageLedger(new PostgresSchema(NpgsqlDataSource.Create(await postgres.NewDatabaseAsync())));
}
