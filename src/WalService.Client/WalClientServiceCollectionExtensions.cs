using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WalService.Api.V1;

namespace WalService.Client;

public static class WalClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="WalClient"/> and the two generated clients through the gRPC client factory, configured
    /// from the <c>WalClient</c> section (when there is an <see cref="IConfiguration"/>) and then by <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddWalClient(this IServiceCollection services, Action<WalClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Bound from configuration when the application has one (a generic host does; a bare ServiceCollection may not).
        var options = services.AddOptions<WalClientOptions>()
            .Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(WalClientOptions.Section).Bind(o));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        AddGrpc<WriteAheadLog.WriteAheadLogClient>(services);
        AddGrpc<NamespaceAdmin.NamespaceAdminClient>(services);
        services.TryAddTransient<WalClient>();
        return services;
    }

    private static void AddGrpc<TClient>(IServiceCollection services)
        where TClient : class
    {
        services
            .AddGrpcClient<TClient>((sp, o) =>
            {
                var client = sp.GetRequiredService<IOptions<WalClientOptions>>().Value;
                o.Address = client.Address;
                o.CallOptionsActions.Add(call =>
                {
                    if (call.CallOptions.Deadline is null)
                    {
                        call.CallOptions = call.CallOptions.WithDeadline(DateTime.UtcNow + client.Timeout);
                    }
                });
            })
            .AddCallCredentials((context, metadata, sp) =>
            {
                var o = sp.GetRequiredService<IOptions<WalClientOptions>>().Value;
                AddIdentity(metadata, o);
                return Task.CompletedTask;
            })
            .ConfigureChannel(channel => channel.UnsafeUseInsecureChannelCallCredentials = true);
    }

    private static void AddIdentity(Metadata metadata, WalClientOptions options)
    {
        if (options.ApiKey is { Length: > 0 } key)
        {
            metadata.Add("authorization", "Bearer " + key);
        }

        if (options.ClientId is { Length: > 0 } id)
        {
            metadata.Add("wal-client-id", id);
        }
    }
}
