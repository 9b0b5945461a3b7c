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
    /// from the <c>WalClient</c> section (when there is an <see cref="IConfiguration"/>) and then by
    /// <paramref name="configure"/>. Options that would send an API key in plaintext without opt-in (see
    /// <see cref="WalClientOptions.AllowPlaintextCredentials"/>) fail when the client is first resolved.
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

        options.Validate(o => WalChannels.CredentialProblem(o) is null, $"{WalClientOptions.Section}: an API key would be sent in plaintext; use an https:// Address or set AllowPlaintextCredentials");

        AddGrpc<WriteAheadLog.WriteAheadLogClient>(services);
        AddGrpc<NamespaceAdmin.NamespaceAdminClient>(services);
        services.TryAddTransient<WalClient>();
        services.TryAddSingleton(sp => new WalBatchWriter(sp.GetRequiredService<WriteAheadLog.WriteAheadLogClient>()));
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

                    // A self-chosen name is no secret: it goes as a plain header, over any channel.
                    if (client.ClientId is { Length: > 0 } id)
                    {
                        var headers = call.CallOptions.Headers ?? [];
                        headers.Add("wal-client-id", id);
                        call.CallOptions = call.CallOptions.WithHeaders(headers);
                    }
                });
            })
            .ConfigurePrimaryHttpMessageHandler(sp => WalChannels.CreateHandler(sp.GetRequiredService<IOptions<WalClientOptions>>().Value))
            .AddCallCredentials((context, metadata, sp) =>
            {
                if (sp.GetRequiredService<IOptions<WalClientOptions>>().Value.ApiKey is { Length: > 0 } key)
                {
                    metadata.Add("authorization", "Bearer " + key);
                }

                return Task.CompletedTask;
            })
            // Call credentials travel over plaintext only where WalChannels allows it (loopback, or an explicit opt-in).
            .ConfigureChannel((sp, channel) =>
                channel.UnsafeUseInsecureChannelCallCredentials = WalChannels.MaySendCredentials(sp.GetRequiredService<IOptions<WalClientOptions>>().Value));
    }
}
