using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Options;
using WalService.Api.V1;

namespace WalService.Targets.Wal;

/// <summary>
/// The gRPC clients of the configured remotes, from the gRPC client factory: one named client per remote,
/// <c>wal-remote:&lt;name&gt;</c>, configured by <see cref="WalRemoteChannels"/>. The factory makes a light client and
/// channel on each call over the remote's pooled HTTP/2 handler, which is what holds its connections.
/// </summary>
public sealed class WalRemoteClients(GrpcClientFactory factory, IOptions<WalRemotesOptions> options)
{
    /// <summary>The prefix of the client names; the name under which the typed client is registered with the factory.</summary>
    public const string ClientNamePrefix = "wal-remote:";

    private readonly IReadOnlyDictionary<string, WalRemoteOptions> _remotes = options.Value.Remotes;

    /// <summary>The remote named <paramref name="name"/> (<c>WalTarget.endpoint</c>), or null when there is none.</summary>
    public WalRemoteOptions? Find(string name) => _remotes.GetValueOrDefault(name);

    /// <summary>The client of the remote named <paramref name="name"/>; cheap, its connections are the pooled handler's.</summary>
    public WriteAheadLog.WriteAheadLogClient Client(string name) => factory.CreateClient<WriteAheadLog.WriteAheadLogClient>(ClientNamePrefix + name);
}
