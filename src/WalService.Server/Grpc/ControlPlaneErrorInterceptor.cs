using Grpc.Core;
using Grpc.Core.Interceptors;
using WalService.Core.Abstractions;

namespace WalService.Server.Grpc;

/// <summary>Answers a <see cref="ControlPlaneException"/> from any RPC with its gRPC status (API.md).</summary>
internal sealed class ControlPlaneErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context);
        }
        catch (ControlPlaneException ex)
        {
            var code = ex.Error switch
            {
                ControlPlaneError.AlreadyExists => StatusCode.AlreadyExists,
                ControlPlaneError.VersionMismatch => StatusCode.Aborted,
                ControlPlaneError.Unavailable => StatusCode.Unavailable,
                _ => StatusCode.NotFound,
            };
            throw new RpcException(new Status(code, ex.Message));
        }
    }
}
