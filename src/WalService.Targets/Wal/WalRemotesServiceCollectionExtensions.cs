using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using WalService.Api.V1;

namespace WalService.Targets.Wal;

/// <summary>The registration of the remotes <c>wal</c> targets forward to.</summary>
internal static class WalRemotesServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="WalRemotesOptions"/> from <c>Wal:Remotes</c>, checked at start; the gRPC client factory with the
    /// typed <c>WriteAheadLogClient</c>, whose named client of each remote <see cref="WalRemoteChannels"/> configures.
    /// </summary>
    public static IServiceCollection AddWalRemotes(this IServiceCollection services)
    {
        services.AddOptions<WalRemotesOptions>()
            .Configure<IConfiguration>((o, configuration) => configuration.GetSection(WalRemotesOptions.Section).Bind(o.Remotes))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddGrpcClient<WriteAheadLog.WriteAheadLogClient>(WalRemoteClients.ClientNamePrefix);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<GrpcClientFactoryOptions>, WalRemoteChannels>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HttpClientFactoryOptions>, WalRemoteChannels>());
        services.TryAddSingleton<WalRemoteClients>();
        return services;
    }
}
