using Npgsql;
using WalService.Core.Abstractions;
using WalService.Sqlite.Ledger;
using WalService.Postgres.ControlPlane;
using WalService.Postgres.Ledger;

namespace WalService.PostgresTests;

public sealed class SqliteDeadLetterArchiveTests : DeadLetterArchiveContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-dead-").FullName;
    private SqliteDeadLetterArchive? _archive;

    public override async ValueTask DisposeAsync()
    {
        if (_archive is not null)
        {
            await _archive.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
        await base.DisposeAsync();
    }

    protected override Task<IDeadLetterArchive> CreateArchiveAsync()
    {
        _archive = new SqliteDeadLetterArchive(Path.Combine(_folder, "control.db"));
        return Task.FromResult<IDeadLetterArchive>(_archive);
    }
}

[Collection(PostgresGroup.Name)]
public sealed class PostgresDeadLetterArchiveTests(PostgresFixture postgres) : DeadLetterArchiveContract
{
    protected override async Task<IDeadLetterArchive> CreateArchiveAsync() =>
        new PostgresDeadLetterArchive(new PostgresSchema(NpgsqlDataSource.Create(await postgres.NewDatabaseAsync())));
}
