using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WalService.Core.Abstractions;
using WalService.Core.DependencyInjection;
using WalService.Targets.Http;
using WalService.Targets.Kv;
using WalService.Targets.Noop;
using WalService.Targets.Redis;
using WalService.Targets.Wal;

namespace WalService.Targets;

public static class TargetsWalBuilderExtensions
{
    /// <summary>
    /// Adds the http, kv and noop targets; http uses one pooled client from <see cref="IHttpClientFactory"/>, with
    /// <see cref="HttpTargetOptions"/> from <c>Wal:Targets:Http</c>, checked at start. The client follows no redirect
    /// (one could lead past <see cref="HttpTargetOptions.AllowedHosts"/>; a 3xx is dead-lettered like any status not
    /// retried) and sends header values as UTF-8.
    /// The redis target connects to the servers of <see cref="RedisTargetOptions"/> (<c>Wal:Redis:&lt;name&gt;</c>), one shared connection each.
    /// </summary>
    public static IWalBuilder AddTargets(this IWalBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<HttpTargetOptions>().BindConfiguration(HttpTargetOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services
            .AddHttpClient(HttpTargetHandler.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                MaxConnectionsPerServer = 256,
                AllowAutoRedirect = false,
                RequestHeaderEncodingSelector = static (_, _) => Encoding.UTF8,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITargetHandler, HttpTargetHandler>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITargetHandler, KvTargetHandler>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITargetHandler, NoopTargetHandler>());
        builder.Services.AddOptions<RedisTargetOptions>().Configure<IConfiguration>((options, configuration) => configuration.GetSection(RedisTargetOptions.Section).Bind(options.Endpoints)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton<RedisConnections>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITargetHandler, RedisTargetHandler>());
        builder.Services.AddWalRemotes();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITargetHandler, WalTargetHandler>());
        return builder;
    }
}
