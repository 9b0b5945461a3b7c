using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using WalService.Api.V1;
using WalService.Client;

namespace WalService.Cli;

/// <summary>
/// Builds <see cref="WalClient"/>s on plain gRPC channels (no DI), sending the identity of
/// <see cref="WalClientOptions"/> with every call and giving each call its deadline. Owns the channels it creates.
/// </summary>
internal sealed class ChannelClientFactory : IDisposable
{
    private readonly List<GrpcChannel> _channels = [];

    /// <summary>
    /// A client on a new channel. Throws <see cref="UsageException"/> when an API key would travel in plaintext
    /// without <c>--plaintext-credentials</c>, or a certificate file cannot be read.
    /// </summary>
    public WalClient Create(WalClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ApiKey is { Length: > 0 } && !WalChannels.MaySendCredentials(options))
        {
            throw new UsageException($"the API key would be sent in plaintext to {options.Address}: use an https:// --address, or add --plaintext-credentials on a network you trust");
        }

        var channel = GrpcChannel.ForAddress(options.Address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            HttpHandler = CreateHandler(options),
        });
        _channels.Add(channel);
        var invoker = channel.Intercept(new IdentityInterceptor(options));
        return new WalClient(new WriteAheadLog.WriteAheadLogClient(invoker), new NamespaceAdmin.NamespaceAdminClient(invoker));
    }

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }

    private static SocketsHttpHandler CreateHandler(WalClientOptions options)
    {
        try
        {
            return WalChannels.CreateHandler(options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidOperationException)
        {
            throw new UsageException($"cannot use the TLS files (--ca-cert, --client-cert, --client-key): {e.Message}", e);
        }
    }

    /// <summary>
    /// Adds <c>authorization: Bearer &lt;key&gt;</c> and <c>wal-client-id</c> (as <c>AddWalClient</c> does) and the
    /// per-call deadline. A metadata interceptor rather than call credentials, because call credentials are not
    /// sent over the plain-HTTP/2 endpoint a local server listens on.
    /// </summary>
    private sealed class IdentityInterceptor(WalClientOptions options) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request,
            ClientInterceptorContext<TRequest, TResponse> context,
            AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, WithIdentity(context));

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(
            TRequest request,
            ClientInterceptorContext<TRequest, TResponse> context,
            BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, WithIdentity(context));

        private ClientInterceptorContext<TRequest, TResponse> WithIdentity<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
            where TRequest : class
            where TResponse : class
        {
            var headers = context.Options.Headers ?? [];
            if (options.ApiKey is { Length: > 0 } key)
            {
                headers.Add("authorization", "Bearer " + key);
            }

            if (options.ClientId is { Length: > 0 } id)
            {
                headers.Add("wal-client-id", id);
            }

            var callOptions = context.Options.WithHeaders(headers);
            if (callOptions.Deadline is null)
            {
                callOptions = callOptions.WithDeadline(DateTime.UtcNow + options.Timeout);
            }

            return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, callOptions);
        }
    }
}
