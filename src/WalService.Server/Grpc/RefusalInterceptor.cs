using Grpc.Core;
using Grpc.Core.Interceptors;
using WalService.Core.Abstractions;
using WalService.Core.Administration;

namespace WalService.Server.Grpc;

/// <summary>
/// Answers Core's refusals from any RPC with their gRPC status (docs/api.md "Status codes"): a
/// <see cref="RequestRejectedException"/> with the status and message it names, a <see cref="ControlPlaneException"/>
/// with the status of its <see cref="ControlPlaneError"/>. The services themselves only map messages.
/// </summary>
internal sealed class RefusalInterceptor : Interceptor
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
        catch (RequestRejectedException ex)
        {
            throw new RpcException(new Status(ex.Code, ex.Message));
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
