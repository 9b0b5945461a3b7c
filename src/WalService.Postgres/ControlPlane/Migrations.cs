using Npgsql;

namespace WalService.Postgres.ControlPlane;

/// <summary>
/// The control plane's schema, as numbered steps applied in order and recorded in <c>wal_schema_migrations</c>.
/// A step is never edited once released; a change is a new step. Instances starting together take a transaction
/// advisory lock first, so exactly one applies each step and the others find it done.
/// </summary>
internal static class Migrations
{
    /// <summary>Arbitrary, fixed: the advisory lock every instance takes while migrating.</summary>
    private const long LockKey = 0x57414C_00_01;

    private static readonly (int Version, string Sql)[] Steps =
    [
        (1, """
            CREATE TABLE wal_namespaces (
                name text COLLATE "C" PRIMARY KEY,
                config bytea NOT NULL,
                version bigint NOT NULL,
                state integer NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            """),
        (2, """
            CREATE FUNCTION wal_namespaces_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('wal_namespaces', COALESCE(NEW.name, OLD.name));
                RETURN NULL;
            END $$;
            CREATE TRIGGER wal_namespaces_changed AFTER INSERT OR UPDATE OR DELETE ON wal_namespaces
                FOR EACH ROW EXECUTE FUNCTION wal_namespaces_notify();
            """),
        (3, """
            CREATE TABLE wal_ledger_status (
                ns text NOT NULL,
                id text NOT NULL,
                state integer NOT NULL,
                attempts integer NOT NULL,
                last_error text,
                next_ms bigint,
                applied_ms bigint,
                at_ms bigint NOT NULL,
                PRIMARY KEY (ns, id)
            );
            CREATE INDEX wal_ledger_applied ON wal_ledger_status (ns, applied_ms) WHERE applied_ms IS NOT NULL;
            CREATE TABLE wal_ledger_keys (
                ns text NOT NULL,
                key text NOT NULL,
                id text NOT NULL,
                expires_ms bigint NOT NULL,
                PRIMARY KEY (ns, key)
            );
            """),
        (4, """
            CREATE TABLE wal_ledger_dead (
                ns text NOT NULL,
                id text COLLATE "C" NOT NULL,
                meta bytea NOT NULL,
                payload bytea NOT NULL,
                attempts integer NOT NULL,
                last_error text NOT NULL,
                dead_ms bigint NOT NULL,
                PRIMARY KEY (ns, id)
            );
            """),
        (5, """
            CREATE TABLE wal_staged_transactions (
                ns text NOT NULL,
                txn text NOT NULL,
                id text NOT NULL,
                state integer NOT NULL,
                first_ms bigint NOT NULL,
                staged integer NOT NULL,
                bytes bigint NOT NULL,
                last_seq integer,
                marker_due_ms bigint,
                done_ms bigint,
                PRIMARY KEY (ns, txn)
            );
            CREATE INDEX wal_staged_transactions_id ON wal_staged_transactions (ns, id);
            CREATE TABLE wal_staged_chunks (
                ns text NOT NULL,
                txn text NOT NULL,
                sequence integer NOT NULL,
                meta bytea,
                payload bytea NOT NULL,
                delivered boolean NOT NULL DEFAULT false,
                PRIMARY KEY (ns, txn, sequence)
            );
            """),
    ];

    /// <summary>The channel on which every change of <c>wal_namespaces</c> is announced (step 2), with the name as payload.</summary>
    public const string ChangeChannel = "wal_namespaces";

    public static int Latest => Steps[^1].Version;

    /// <summary>Applies every step not yet applied; answers how many it applied.</summary>
    public static async Task<int> ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
        await ExecuteAsync(
            connection,
            transaction,
            "CREATE TABLE IF NOT EXISTS wal_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            cancellationToken);

        var applied = new HashSet<int>();
        await using (var select = new NpgsqlCommand("SELECT version FROM wal_schema_migrations", connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var count = 0;
        foreach (var (version, sql) in Steps.Where(s => !applied.Contains(s.Version)))
        {
            await ExecuteAsync(connection, transaction, sql, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO wal_schema_migrations (version) VALUES ($1)", connection, transaction);
            record.Parameters.AddWithValue(version);
            await record.ExecuteNonQueryAsync(cancellationToken);
            count++;
        }

        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
