using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using WalService.Core.Abstractions;
using WalService.Core.DependencyInjection;
using WalService.Postgres.ControlPlane;

namespace WalService.Postgres;

public static class PostgresWalBuilderExtensions
{
    /// <summary>
    /// Keeps namespaces in PostgreSQL, shared by every instance that uses the same database. The schema is migrated
    /// on first use (versioned, idempotent, safe when instances start together).
    /// </summary>
    /// <param name="builder">The WAL builder.</param>
    /// <param name="connectionString">An Npgsql connection string (<c>ConnectionStrings:ControlPlane</c>).</param>
    public static IWalBuilder AddPostgresControlPlane(this IWalBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.TryAddSingleton<IControlPlaneStore>(_ => new PostgresControlPlaneStore(NpgsqlDataSource.Create(connectionString)));
        return builder;
    }
}
