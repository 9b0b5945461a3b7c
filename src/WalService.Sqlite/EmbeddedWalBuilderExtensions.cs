using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WalService.Core;
using WalService.Core.Abstractions;
using WalService.Core.DependencyInjection;
using WalService.Core.Runtime;
using WalService.Sqlite.ControlPlane;
using WalService.Sqlite.Kv;
using WalService.Sqlite.Ledger;
using WalService.Sqlite.Log;
using WalService.Sqlite.Storage;

namespace WalService.Sqlite;

public static class EmbeddedWalBuilderExtensions
{
    /// <summary>
    /// Adds the embedded SQLite log backend (<c>wal.db</c>) and kv store (<c>kv.db</c>) under
    /// <see cref="WalOptions.DataDirectory"/>.
    /// </summary>
    public static IWalBuilder AddEmbedded(this IWalBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddStorageHealth(builder.Services);
        builder.Services.TryAddSingleton(sp => new SqliteLog(DataFile(sp, "wal.db"), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<MessageIdGenerator>(), sp.GetRequiredService<StorageHealth>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILogBackend, SqliteLog>(sp => sp.GetRequiredService<SqliteLog>()));
        builder.Services.TryAddSingleton(sp => new SqliteKvStore(DataFile(sp, "kv.db"), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<StorageHealth>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IKvStore, SqliteKvStore>(sp => sp.GetRequiredService<SqliteKvStore>()));
        return builder;
    }

    /// <summary>
    /// Keeps namespaces, and the message ledger, dead letters and staged transactions of namespaces whose log is Kafka or SQS, in
    /// <c>control.db</c> under <see cref="WalOptions.DataDirectory"/>: the single-node control plane.
    /// </summary>
    public static IWalBuilder AddSqliteControlPlane(this IWalBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddStorageHealth(builder.Services);
        builder.Services.TryAddSingleton<IControlPlaneStore>(sp => new SqliteControlPlaneStore(DataFile(sp, "control.db"), sp.GetRequiredService<StorageHealth>()));
        builder.Services.TryAddSingleton<IMessageLedgerStore>(sp => new SqliteMessageLedger(DataFile(sp, "control.db"), sp.GetRequiredService<StorageHealth>()));
        builder.Services.TryAddSingleton<IDeadLetterArchive>(sp => new SqliteDeadLetterArchive(DataFile(sp, "control.db"), sp.GetRequiredService<StorageHealth>()));
        builder.Services.TryAddSingleton<ITransactionStagingStore>(sp => new SqliteTransactionStaging(DataFile(sp, "control.db"), sp.GetRequiredService<StorageHealth>()));
        return builder;
    }

    /// <summary>
    /// The checks and fault reports of the SQLite files (<see cref="StorageOptions"/>, section <c>Wal:Storage</c>):
    /// each file is checked when its store is first created, which a damaged file makes fail unless
    /// <see cref="StorageOptions.StartOnDamage"/> is on.
    /// </summary>
    private static void AddStorageHealth(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(StorageHealth)))
        {
            return;
        }

        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StorageHealth>();
    }

    private static string DataFile(IServiceProvider services, string name) =>
        Path.Combine(services.GetRequiredService<IOptions<WalOptions>>().Value.DataDirectory, name);
}
