using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Sqlite.Storage;

namespace WalService.Sqlite.ControlPlane;

/// <summary>
/// The control plane of a single node: one row per namespace in <c>control.db</c>, the config kept as protobuf bytes so
/// fields added to <see cref="NamespaceConfig"/> need no migration. Every change is one statement guarded by the
/// version it expects, so concurrent updates cannot both win.
/// </summary>
internal sealed class SqliteControlPlaneStore : IControlPlaneStore
{
    private const string Columns = "name, config, version, state, created_ms, updated_ms";
    private readonly SqliteDatabase _database;

    /// <param name="path">The control-plane file.</param>
    /// <param name="storage">Checks the file at start and collects its faults; null: not watched.</param>
    public SqliteControlPlaneStore(string path, StorageHealth? storage = null)
    {
        _database = new SqliteDatabase(path, storage);
        using var connection = _database.Open();
        SqliteDatabase.Execute(connection, """
            CREATE TABLE IF NOT EXISTS namespaces (
                name TEXT PRIMARY KEY,
                config BLOB NOT NULL,
                version INTEGER NOT NULL,
                state INTEGER NOT NULL,
                created_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL
            ) WITHOUT ROWID;
            """);
    }

    public Task<Namespace> CreateAsync(NamespaceConfig config, DateTimeOffset now, CancellationToken cancellationToken) =>
        GuardAsync(() => CreateCoreAsync(config, now, cancellationToken), commits: true);

    private async Task<Namespace> CreateCoreAsync(NamespaceConfig config, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var ms = now.ToUnixTimeMilliseconds();
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO namespaces (name, config, version, state, created_ms, updated_ms) VALUES ($name, $config, 1, $state, $now, $now) ON CONFLICT DO NOTHING";
        command.Parameters.AddWithValue("$name", config.Name);
        command.Parameters.AddWithValue("$config", config.ToByteArray());
        command.Parameters.AddWithValue("$state", (int)NamespaceState.Active);
        command.Parameters.AddWithValue("$now", ms);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw new ControlPlaneException(ControlPlaneError.AlreadyExists, $"namespace '{config.Name}' already exists");
        }

        return await GetRequiredAsync(connection, config.Name, cancellationToken);
    }

    public Task<Namespace?> GetAsync(string name, CancellationToken cancellationToken) =>
        GuardAsync(() => GetCoreAsync(name, cancellationToken), commits: false);

    private async Task<Namespace?> GetCoreAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = _database.OpenForRead();
        return await GetAsync(connection, name, cancellationToken);
    }

    public Task<IReadOnlyList<Namespace>> ListAsync(int pageSize, string? afterName, CancellationToken cancellationToken) =>
        GuardAsync(() => ListCoreAsync(pageSize, afterName, cancellationToken), commits: false);

    private async Task<IReadOnlyList<Namespace>> ListCoreAsync(int pageSize, string? afterName, CancellationToken cancellationToken)
    {
        await using var connection = _database.OpenForRead();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM namespaces WHERE name > $after ORDER BY name LIMIT $limit";
        command.Parameters.AddWithValue("$after", afterName ?? string.Empty);
        command.Parameters.AddWithValue("$limit", pageSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var page = new List<Namespace>();
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add(Read(reader));
        }

        return page;
    }

    public Task<Namespace> UpdateAsync(NamespaceConfig config, long expectedVersion, DateTimeOffset now, CancellationToken cancellationToken) =>
        GuardAsync(() => UpdateCoreAsync(config, expectedVersion, now, cancellationToken), commits: true);

    private async Task<Namespace> UpdateCoreAsync(NamespaceConfig config, long expectedVersion, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE namespaces SET config = $config, version = version + 1, updated_ms = $now WHERE name = $name AND version = $expected";
        command.Parameters.AddWithValue("$config", config.ToByteArray());
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$name", config.Name);
        command.Parameters.AddWithValue("$expected", expectedVersion);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            var current = await GetAsync(connection, config.Name, cancellationToken)
                ?? throw new ControlPlaneException(ControlPlaneError.NotFound, $"namespace '{config.Name}' does not exist");
            throw new ControlPlaneException(
                ControlPlaneError.VersionMismatch,
                $"namespace '{config.Name}' is at version {current.Version}, not the expected_version {expectedVersion}");
        }

        return await GetRequiredAsync(connection, config.Name, cancellationToken);
    }

    public Task<Namespace> SetStateAsync(string name, NamespaceState state, DateTimeOffset now, CancellationToken cancellationToken) =>
        GuardAsync(() => SetStateCoreAsync(name, state, now, cancellationToken), commits: true);

    private async Task<Namespace> SetStateCoreAsync(string name, NamespaceState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE namespaces SET state = $state, version = version + 1, updated_ms = $now WHERE name = $name AND state <> $state";
        command.Parameters.AddWithValue("$state", (int)state);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$name", name);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return await GetRequiredAsync(connection, name, cancellationToken);
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        GuardAsync(() => DeleteCoreAsync(name, cancellationToken), commits: true);

    private async Task<bool> DeleteCoreAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM namespaces WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = _database.OpenForRead();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM namespaces";
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs a store call; a SQLite failure (a full disk, an I/O error, a damaged file) answers
    /// <see cref="ControlPlaneError.Unavailable"/> naming the cause, since the store changed nothing it confirmed. A
    /// change is refused the same way while free space is below <see cref="StorageOptions.MinFreeBytes"/>.
    /// </summary>
    private async Task<T> GuardAsync<T>(Func<Task<T>> call, bool commits)
    {
        if (commits && _database.Health?.RefuseWritesBecause is { } full)
        {
            throw new ControlPlaneException(ControlPlaneError.Unavailable, $"the control plane could not commit: {full}");
        }

        try
        {
            var result = await call();
            if (commits)
            {
                _database.Health?.Succeeded();
            }

            return result;
        }
        catch (SqliteException ex)
        {
            _database.Health?.Failed(ex);
            throw new ControlPlaneException(ControlPlaneError.Unavailable, $"the control plane could not {(commits ? "commit" : "read")}: {ex.Message}", ex);
        }
    }

    private static async Task<Namespace> GetRequiredAsync(SqliteConnection connection, string name, CancellationToken cancellationToken) =>
        await GetAsync(connection, name, cancellationToken)
        ?? throw new ControlPlaneException(ControlPlaneError.NotFound, $"namespace '{name}' does not exist");

    private static async Task<Namespace?> GetAsync(SqliteConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM namespaces WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static Namespace Read(SqliteDataReader reader) => new()
    {
        Config = NamespaceConfig.Parser.ParseFrom((byte[])reader[1]),
        Version = reader.GetInt64(2),
        State = (NamespaceState)reader.GetInt32(3),
        CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))),
        UpdatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))),
    };
}
