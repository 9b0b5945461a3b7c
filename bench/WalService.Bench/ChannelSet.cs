using System.Net;
using Grpc.Net.Client;

namespace WalService.Bench;

/// <summary>
/// Several gRPC channels to one server, each with its own HTTP/2 connection, so the calls of a phase are spread over
/// connections instead of queueing on one connection's write loop. A single channel opens a second connection only
/// when the first one is at the server's stream limit (100 by default in Kestrel), which 64 calls never reach.
/// </summary>
internal sealed class ChannelSet : IDisposable
{
    private readonly GrpcChannel[] _channels;

    public ChannelSet(Uri address, int connections)
    {
        _channels = new GrpcChannel[connections];
        for (var i = 0; i < connections; i++)
        {
            var handler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                AutomaticDecompression = DecompressionMethods.None,
                UseProxy = false,
            };
            _channels[i] = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        }
    }

    public int Count => _channels.Length;

    /// <summary>The channel of loop <paramref name="loop"/> (round-robin over the connections).</summary>
    public GrpcChannel For(int loop) => _channels[loop % _channels.Length];

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}
