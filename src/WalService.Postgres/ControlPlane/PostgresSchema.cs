using Npgsql;

namespace WalService.Postgres.ControlPlane;

/// <summary>The control-plane database of this process, migrated once before first use, and again after a failed try.</summary>
internal sealed class PostgresSchema(NpgsqlDataSource dataSource)
{
    private readonly Lock _gate = new();
    private Task? _migrated;

    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>Opens a pooled connection to the migrated database.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await MigratedAsync(cancellationToken);
        return await DataSource.OpenConnectionAsync(cancellationToken);
    }

    private Task MigratedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_migrated is null || _migrated.IsFaulted || _migrated.IsCanceled)
            {
                _migrated = Migrations.ApplyAsync(DataSource, cancellationToken);
            }

            return _migrated;
        }
    }
}
