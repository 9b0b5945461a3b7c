using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using WalService.Client;

namespace WalService.Targets.Wal;

/// <summary>
/// Configures the named client of each remote (<see cref="WalRemoteClients"/>) from <see cref="WalRemotesOptions"/>:
/// remote names are configuration, unknown while services are registered, so the factory's named options are filled
/// in here when a client is first created. The transport is the client library's
/// (<see cref="WalChannels.CreateHandler"/>: TLS checked against the remote's CA, the client certificate); the API key
/// goes as call credentials.
/// </summary>
internal sealed class WalRemoteChannels(IOptions<WalRemotesOptions> options)
    : IConfigureNamedOptions<GrpcClientFactoryOptions>, IConfigureNamedOptions<HttpClientFactoryOptions>
{
    private readonly IReadOnlyDictionary<string, WalRemoteOptions> _remotes = options.Value.Remotes;

    public void Configure(string? name, GrpcClientFactoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Remote(name) is not { } remote)
        {
            return;
        }

        var address = new Uri(remote.Address!);
        options.Address = address;
        if (remote.ApiKey is { Length: > 0 } key)
        {
            // Call credentials, as AddCallCredentials would add them. gRPC sends them over TLS only, unless told
            // otherwise: an http:// remote with an API key is the operator's explicit choice, so it is told so then alone.
            var credentials = CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", "Bearer " + key);
                return Task.CompletedTask;
            });
            options.CallOptionsActions.Add(call => call.CallOptions = call.CallOptions.WithCredentials(credentials));
            options.ChannelOptionsActions.Add(channel => channel.UnsafeUseInsecureChannelCallCredentials = address.Scheme == Uri.UriSchemeHttp);
        }
    }

    public void Configure(string? name, HttpClientFactoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Remote(name) is not { } remote)
        {
            return;
        }

        var transport = new WalClientOptions
        {
            Address = new Uri(remote.Address!),
            CaCertificatePath = remote.CaCertificatePath,
            ClientCertificatePath = remote.ClientCertificatePath,
            ClientKeyPath = remote.ClientKeyPath,
        };
        options.HttpMessageHandlerBuilderActions.Add(handler => handler.PrimaryHandler = WalChannels.CreateHandler(transport));
    }

    public void Configure(GrpcClientFactoryOptions options) => Configure(Options.DefaultName, options);

    public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);

    private WalRemoteOptions? Remote(string? clientName) =>
        clientName is not null && clientName.StartsWith(WalRemoteClients.ClientNamePrefix, StringComparison.Ordinal)
            ? _remotes.GetValueOrDefault(clientName[WalRemoteClients.ClientNamePrefix.Length..])
            : null;
}
