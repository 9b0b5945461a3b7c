using Grpc.Core;
using WalService.Core.Administration;

namespace WalService.Server.Grpc;

/// <summary>Answers Core's refusals (<see cref="RequestRejectedException"/>) with the gRPC status and message they name.</summary>
internal static class Rejections
{
    public static async Task<T> AsRpcAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RequestRejectedException ex)
        {
            throw new RpcException(new Status(ex.Code, ex.Message));
        }
    }
}
