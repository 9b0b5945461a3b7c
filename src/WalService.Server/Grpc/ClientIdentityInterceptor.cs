using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using WalService.Server.Hosting;

namespace WalService.Server.Grpc;

/// <summary>
/// Establishes who is calling (see <see cref="AuthOptions"/>) before any RPC runs, and answers UNAUTHENTICATED when API
/// keys are configured and the call carries none or an unknown one. Services read the identity with <see cref="Of"/>.
/// </summary>
internal sealed class ClientIdentityInterceptor(IOptions<AuthOptions> options) : Interceptor
{
    public const string ClientIdHeader = "wal-client-id";
    private const string IdentityKey = "wal.client-id";

    public static string? Of(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.UserState.TryGetValue(IdentityKey, out var id) ? id as string : null;
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        if (!context.Method.StartsWith("/grpc.", StringComparison.Ordinal) && Resolve(context.RequestHeaders) is { } id)
        {
            context.UserState[IdentityKey] = id;
        }

        return continuation(request, context);
    }

    private string? Resolve(Metadata headers)
    {
        var keys = options.Value.ApiKeys;
        if (keys.Count == 0)
        {
            return headers.GetValue(ClientIdHeader) is { Length: > 0 } named ? named : null;
        }

        var authorization = headers.GetValue("authorization");
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "no client identity: send the header 'authorization: Bearer <api key>'"));
        }

        return keys.TryGetValue(authorization["Bearer ".Length..].Trim(), out var id)
            ? id
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "unknown API key in the authorization header"));
    }
}
