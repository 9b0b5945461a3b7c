using Npgsql;
using WalService.Core.Abstractions;
using WalService.Sqlite.ControlPlane;
using WalService.Postgres.ControlPlane;

namespace WalService.PostgresTests;

public sealed class SqliteControlPlaneStoreTests : ControlPlaneStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-cp-").FullName;

    public override ValueTask DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return base.DisposeAsync();
    }

    protected override Task<IControlPlaneStore> CreateStoreAsync() =>
        Task.FromResult<IControlPlaneStore>(new SqliteControlPlaneStore(Path.Combine(_folder, "control.db")));
}

[Collection(PostgresGroup.Name)]
public sealed class PostgresControlPlaneStoreTests(PostgresFixture postgres) : ControlPlaneStoreContract
{
    protected override async Task<IControlPlaneStore> CreateStoreAsync() =>
        new PostgresControlPlaneStore(new PostgresSchema(NpgsqlDataSource.Create(await postgres.NewDatabaseAsync())));
}
