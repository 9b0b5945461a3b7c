using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using WalService.Core.Abstractions;
using WalService.Core.DependencyInjection;
using WalService.Postgres.ControlPlane;
using WalService.Postgres.Kv;
using WalService.Postgres.Ledger;

namespace WalService.Postgres;

public static class PostgresWalBuilderExtensions
{
    /// <summary>
    /// Keeps namespaces in PostgreSQL, shared by every instance that uses the same database. The schema is migrated
    /// on first use (versioned, idempotent, safe when instances start together); every instance listens for changes
    /// (LISTEN/NOTIFY) and refreshes its namespaces at once. The same database holds the message ledger, the dead
    /// letters and the staged transactions of namespaces whose log is Kafka or SQS.
    /// </summary>
    /// <param name="builder">The WAL builder.</param>
    /// <param name="connectionString">An Npgsql connection string (<c>ConnectionStrings:ControlPlane</c>).</param>
    public static IWalBuilder AddPostgresControlPlane(this IWalBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var dataSource = NpgsqlDataSource.Create(connectionString);
        var schema = new PostgresSchema(dataSource);
        builder.Services.TryAddSingleton<IControlPlaneStore>(_ => new PostgresControlPlaneStore(schema));
        builder.Services.TryAddSingleton<IMessageLedgerStore>(_ => new PostgresMessageLedger(schema));
        builder.Services.TryAddSingleton<IDeadLetterArchive>(_ => new PostgresDeadLetterArchive(schema));
        builder.Services.TryAddSingleton<ITransactionStagingStore>(_ => new PostgresTransactionStaging(schema));
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<ChangeListener>(sp, dataSource));
        return builder;
    }

    /// <summary>
    /// Offers every PostgreSQL connection string under <c>ConnectionStrings</c> as a kv store of that name, for
    /// <c>KvTarget{store = name}</c>. A connection string that is not Npgsql's form (no <c>Host</c>) is left alone.
    /// </summary>
    public static IWalBuilder AddPostgresKvStores(this IWalBuilder builder, IEnumerable<KeyValuePair<string, string?>> connectionStrings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connectionStrings);
        foreach (var (name, connectionString) in connectionStrings)
        {
            if (IsNpgsql(connectionString))
            {
                builder.Services.AddSingleton<IKvStore>(_ => new PostgresKvStore(name, NpgsqlDataSource.Create(connectionString!)));
            }
        }

        return builder;
    }

    private static bool IsNpgsql(string? connectionString)
    {
        try
        {
            return !string.IsNullOrWhiteSpace(connectionString) && !string.IsNullOrEmpty(new NpgsqlConnectionStringBuilder(connectionString).Host);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
