using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WalService.Core.Abstractions;
using WalService.Core.DependencyInjection;
using WalService.Core.Model;
using WalService.Sqs.Targets;

namespace WalService.Sqs;

public static class SqsWalBuilderExtensions
{
    /// <summary>
    /// Adds the SQS log backend and the <c>sqs</c> target on the endpoint and region of <c>Wal:Sqs</c>
    /// (<see cref="SqsOptions"/>), sharing one client, with credentials from the standard AWS chain (environment,
    /// profile, instance role). SQS namespaces keep statuses, idempotency keys and dead letters in the control plane's
    /// message ledger, so a control plane (SQLite or PostgreSQL) must be added too.
    /// </summary>
    public static IWalBuilder AddSqs(this IWalBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SqsOptions>().BindConfiguration(SqsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton<SqsMetrics>();
        builder.Services.TryAddSingleton<SqsQueues>();
        builder.Services.TryAddSingleton<SqsLog>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILogBackend, SqsLog>(sp => sp.GetRequiredService<SqsLog>()));
        builder.Services.AddSingleton(new BackendTraits(BackendKind.Sqs, SqsMessages.MaxPayloadBytes, SqsNamespace.OrderingKeyRefusal));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITargetHandler, SqsTargetHandler>());
        return builder;
    }
}
