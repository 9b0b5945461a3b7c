using Npgsql;
using WalService.Postgres.ControlPlane;

namespace WalService.PostgresTests;

[Collection(PostgresGroup.Name)]
public sealed class MigrationTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnEmptyDatabaseGetsEveryStepAndASecondStartAppliesNothing()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.NewDatabaseAsync());

        var first = await Migrations.ApplyAsync(dataSource, Ct);
        var second = await Migrations.ApplyAsync(dataSource, Ct);

        Assert.Equal(Migrations.Latest, first);
        Assert.Equal(0, second);
        Assert.Equal(Migrations.Latest, await ScalarAsync<int>(dataSource, "SELECT max(version) FROM wal_schema_migrations"));
        Assert.Equal(0L, await ScalarAsync<long>(dataSource, "SELECT count(*) FROM wal_namespaces"));
    }

    [Fact]
    public async Task InstancesStartingTogetherApplyEachStepOnce()
    {
        var connectionString = await postgres.NewDatabaseAsync();
        var sources = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();

        var applied = await Task.WhenAll(sources.Select(s => Migrations.ApplyAsync(s, Ct)));

        Assert.Equal(Migrations.Latest, applied.Sum());
        Assert.Equal((long)Migrations.Latest, await ScalarAsync<long>(sources[0], "SELECT count(*) FROM wal_schema_migrations"));
        foreach (var source in sources)
        {
            await source.DisposeAsync();
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }
}
