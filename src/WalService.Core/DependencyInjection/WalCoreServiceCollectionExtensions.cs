using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WalService.Core.Administration;
using WalService.Core.FrontDoor;
using WalService.Core.Runtime;
using WalService.Core.Telemetry;
using WalService.Core.Validation;

namespace WalService.Core.DependencyInjection;

public static class WalCoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the backend-agnostic runtime: options (section <c>Wal</c>, validated at start), the namespace
    /// registry, the front door (writes, status reads), namespace administration, the consumer host and the metrics.
    /// Backends, stores and targets come from the providers' own <c>Add…</c> calls on the returned builder.
    /// </summary>
    public static IWalBuilder AddWalCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<WalOptions>().BindConfiguration(WalOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WalMetrics>();
        services.TryAddSingleton<RegionHealth>();
        services.TryAddSingleton<NamespaceRegistry>();
        services.TryAddSingleton<BackendCatalog>();
        services.TryAddSingleton<TargetCatalog>();
        services.TryAddSingleton<WorkSignals>();
        services.TryAddSingleton<MessageIdGenerator>();
        services.TryAddSingleton<WriteCoordinator>();
        services.TryAddSingleton<MessageStatusReader>();
        services.TryAddSingleton<NamespaceAdministrator>();
        services.TryAddSingleton<ConsumerHost>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsumerHost>());
        return new WalBuilder(services);
    }
}
