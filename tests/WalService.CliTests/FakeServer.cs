using Google.Protobuf;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;

namespace WalService.CliTests;

/// <summary>
/// Stands in for a WalService server behind the real generated clients: each RPC, named as in the proto
/// (<c>WriteToLog</c>, <c>GetNamespace</c>, ...), is answered by a handler; every request is recorded.
/// </summary>
internal sealed class FakeServer : CallInvoker
{
    private readonly Dictionary<string, Func<IMessage, IMessage>> _handlers = new(StringComparer.Ordinal);

    public List<(string Method, IMessage Request)> Calls { get; } = [];

    /// <summary>The options walctl built the client from, once it asked for one.</summary>
    public WalClientOptions? Options { get; private set; }

    public FakeServer On<TRequest>(string method, Func<TRequest, IMessage> handler)
        where TRequest : IMessage
    {
        _handlers[method] = request => handler((TRequest)request);
        return this;
    }

    public FakeServer Fail(string method, StatusCode status, string detail) =>
        On<IMessage>(method, _ => throw new RpcException(new Status(status, detail)));

    public WalClient CreateClient(WalClientOptions options)
    {
        Options = options;
        return new WalClient(new WriteAheadLog.WriteAheadLogClient(this), new NamespaceAdmin.NamespaceAdminClient(this));
    }

    public TRequest Single<TRequest>(string method)
        where TRequest : IMessage =>
        (TRequest)Assert.Single(Calls, c => c.Method == method).Request;

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var response = Answer<TRequest, TResponse>(method, request);
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        Answer<TRequest, TResponse>(method, request).GetAwaiter().GetResult();

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException();

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    private Task<TResponse> Answer<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request)
        where TRequest : class
        where TResponse : class
    {
        var message = (IMessage)request;
        lock (Calls)
        {
            // Calls may come side by side (a transaction's chunks).
            Calls.Add((method.Name, message.Descriptor.Parser.ParseFrom(message.ToByteString())));
        }

        if (!_handlers.TryGetValue(method.Name, out var handler))
        {
            return Task.FromException<TResponse>(new RpcException(new Status(StatusCode.Unimplemented, $"no handler for {method.Name}")));
        }

        try
        {
            return Task.FromResult((TResponse)handler(message));
        }
        catch (RpcException e)
        {
            return Task.FromException<TResponse>(e);
        }
    }
}
