using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WalService.Core.Abstractions;
using WalService.Core.DependencyInjection;
using WalService.Targets.Http;
using WalService.Targets.Kv;
using WalService.Targets.Noop;

namespace WalService.Targets;

public static class TargetsWalBuilderExtensions
{
    /// <summary>Adds the http, kv and noop targets; http uses one pooled client from <see cref="IHttpClientFactory"/>.</summary>
    public static IWalBuilder AddTargets(this IWalBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services
            .AddHttpClient(HttpTargetHandler.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                MaxConnectionsPerServer = 256,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITargetHandler, HttpTargetHandler>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITargetHandler, KvTargetHandler>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITargetHandler, NoopTargetHandler>());
        return builder;
    }
}
