using System.Net.Sockets;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using WalService.Api.V1;
using WalService.Core.Abstractions;

namespace WalService.Postgres.ControlPlane;

/// <summary>
/// The shared control plane on PostgreSQL: one row per namespace, the config kept as protobuf bytes so fields added
/// to <see cref="NamespaceConfig"/> need no migration. Every change is one statement guarded by the version it
/// expects, so of two concurrent updates exactly one wins. The schema is migrated before the first call (<see cref="PostgresSchema"/>).
/// </summary>
internal sealed class PostgresControlPlaneStore(PostgresSchema schema) : IControlPlaneStore
{
    private const string Columns = "name, config, version, state, created_at, updated_at";

    public Task<Namespace> CreateAsync(NamespaceConfig config, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        return RunAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(
                $"INSERT INTO wal_namespaces ({Columns}) VALUES ($1, $2, 1, $3, $4, $4) ON CONFLICT DO NOTHING RETURNING {Columns}",
                connection);
            command.Parameters.AddWithValue(config.Name);
            command.Parameters.AddWithValue(config.ToByteArray());
            command.Parameters.AddWithValue((int)NamespaceState.Active);
            command.Parameters.AddWithValue(now);
            return await ReadOneAsync(command, cancellationToken)
                ?? throw new ControlPlaneException(ControlPlaneError.AlreadyExists, $"namespace '{config.Name}' already exists");
        }, cancellationToken);
    }

    public Task<Namespace?> GetAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(connection => GetAsync(connection, name, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<Namespace>> ListAsync(int pageSize, string? afterName, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<Namespace>>(async connection =>
        {
            await using var command = new NpgsqlCommand(
                $"SELECT {Columns} FROM wal_namespaces WHERE name > $1 ORDER BY name LIMIT $2",
                connection);
            command.Parameters.AddWithValue(afterName ?? string.Empty);
            command.Parameters.AddWithValue(pageSize);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var page = new List<Namespace>();
            while (await reader.ReadAsync(cancellationToken))
            {
                page.Add(Read(reader));
            }

            return page;
        }, cancellationToken);

    public Task<Namespace> UpdateAsync(NamespaceConfig config, long expectedVersion, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        return RunAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(
                $"UPDATE wal_namespaces SET config = $1, version = version + 1, updated_at = $2 WHERE name = $3 AND version = $4 RETURNING {Columns}",
                connection);
            command.Parameters.AddWithValue(config.ToByteArray());
            command.Parameters.AddWithValue(now);
            command.Parameters.AddWithValue(config.Name);
            command.Parameters.AddWithValue(expectedVersion);
            if (await ReadOneAsync(command, cancellationToken) is { } updated)
            {
                return updated;
            }

            var current = await GetAsync(connection, config.Name, cancellationToken)
                ?? throw new ControlPlaneException(ControlPlaneError.NotFound, $"namespace '{config.Name}' does not exist");
            throw new ControlPlaneException(
                ControlPlaneError.VersionMismatch,
                $"namespace '{config.Name}' is at version {current.Version}, not the expected_version {expectedVersion}");
        }, cancellationToken);
    }

    public Task<Namespace> SetStateAsync(string name, NamespaceState state, DateTimeOffset now, CancellationToken cancellationToken) =>
        RunAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(
                "UPDATE wal_namespaces SET state = $1, version = version + 1, updated_at = $2 WHERE name = $3 AND state <> $1",
                connection);
            command.Parameters.AddWithValue((int)state);
            command.Parameters.AddWithValue(now);
            command.Parameters.AddWithValue(name);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return await GetAsync(connection, name, cancellationToken)
                ?? throw new ControlPlaneException(ControlPlaneError.NotFound, $"namespace '{name}' does not exist");
        }, cancellationToken);

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(async connection =>
        {
            await using var command = new NpgsqlCommand("DELETE FROM wal_namespaces WHERE name = $1", connection);
            command.Parameters.AddWithValue(name);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(async connection =>
            {
                await using var command = new NpgsqlCommand("SELECT count(*) FROM wal_namespaces", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return true;
            }, cancellationToken);
        }
        catch (ControlPlaneException)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a connection to the migrated database; an unreachable one, or one that cannot
    /// commit for lack of resources or a storage error, becomes <see cref="ControlPlaneError.Unavailable"/>.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, Task<T>> body, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await schema.OpenAsync(cancellationToken);
            return await body(connection);
        }
        catch (Exception ex) when (ex is NpgsqlException { IsTransient: true } or SocketException or TimeoutException)
        {
            throw new ControlPlaneException(ControlPlaneError.Unavailable, $"the control-plane database is unreachable: {ex.Message}");
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("53", StringComparison.Ordinal) || ex.SqlState.StartsWith("58", StringComparison.Ordinal) || ex.SqlState.StartsWith("XX", StringComparison.Ordinal))
        {
            // Insufficient resources (53: disk full, out of memory, too many connections), system errors (58: I/O)
            // and internal errors (XX: data corrupted): the database could not do it, nothing was confirmed.
            throw new ControlPlaneException(ControlPlaneError.Unavailable, $"the control-plane database could not complete the call: {ex.MessageText} (SQLSTATE {ex.SqlState})", ex);
        }
    }

    private static async Task<Namespace?> GetAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM wal_namespaces WHERE name = $1", connection);
        command.Parameters.AddWithValue(name);
        return await ReadOneAsync(command, cancellationToken);
    }

    private static async Task<Namespace?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static Namespace Read(NpgsqlDataReader reader) => new()
    {
        Config = NamespaceConfig.Parser.ParseFrom(reader.GetFieldValue<byte[]>(1)),
        Version = reader.GetInt64(2),
        State = (NamespaceState)reader.GetInt32(3),
        CreatedAt = Timestamp.FromDateTimeOffset(reader.GetFieldValue<DateTimeOffset>(4)),
        UpdatedAt = Timestamp.FromDateTimeOffset(reader.GetFieldValue<DateTimeOffset>(5)),
    };
}
