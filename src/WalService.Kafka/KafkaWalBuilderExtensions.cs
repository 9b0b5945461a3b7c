using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WalService.Core.Abstractions;
using WalService.Core.DependencyInjection;
using WalService.Core.Model;
using WalService.Kafka.Targets;

namespace WalService.Kafka;

public static class KafkaWalBuilderExtensions
{
    /// <summary>
    /// Adds the Kafka log backend and the <c>kafka</c> target, on the clusters named under <c>Wal:Kafka:Clusters</c>
    /// (<see cref="KafkaOptions"/>); both share each cluster's producer. Kafka namespaces keep statuses, idempotency
    /// keys and dead letters in the control plane's message ledger, so a control plane (SQLite or PostgreSQL) must be
    /// added too.
    /// </summary>
    public static IWalBuilder AddKafka(this IWalBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton<KafkaMetrics>();
        builder.Services.TryAddSingleton<KafkaClusters>();
        builder.Services.TryAddSingleton<ParkedConsumers>();
        builder.Services.TryAddSingleton<KafkaLog>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILogBackend, KafkaLog>(sp => sp.GetRequiredService<KafkaLog>()));
        builder.Services.AddSingleton(new BackendTraits(BackendKind.Kafka));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITargetHandler, KafkaTargetHandler>());
        return builder;
    }
}
