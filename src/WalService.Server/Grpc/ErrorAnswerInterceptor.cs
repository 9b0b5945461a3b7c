using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using WalService.Core.Abstractions;
using WalService.Core.Administration;

namespace WalService.Server.Grpc;

/// <summary>
/// Shapes every error answer of a unary RPC. Core's refusals get their gRPC status (docs/api.md "Status codes"): a
/// <see cref="RequestRejectedException"/> the status and message it names, a <see cref="ControlPlaneException"/> the
/// status of its <see cref="ControlPlaneError"/>; so the services themselves only map messages.
/// It is also the last line of defence for error messages: a status detail longer than <see cref="MaxDetailBytes"/> of
/// UTF-8 is cut there. The detail travels as the <c>grpc-message</c> header; an HTTP/2 client refuses a header block beyond
/// its header-list limit (64 KiB in .NET's SocketsHttpHandler) with an HPACK decoding failure, which is an error of
/// the whole connection, so one over-long detail would fail every call sharing the connection.
/// </summary>
internal sealed class ErrorAnswerInterceptor : Interceptor
{
    /// <summary>The longest status detail the server sends, in UTF-8 bytes: 1 KiB.</summary>
    public const int MaxDetailBytes = 1024;

    private const string Cut = "... (truncated)";

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
            throw new RpcException(new Status(ex.Code, Truncate(ex.Message)));
        }
        catch (ControlPlaneException ex)
        {
            throw new RpcException(new Status(CodeOf(ex.Error), Truncate(ex.Message)));
        }
        catch (RpcException ex) when (Encoding.UTF8.GetByteCount(ex.Status.Detail) > MaxDetailBytes)
        {
            throw new RpcException(new Status(ex.StatusCode, Truncate(ex.Status.Detail), ex.Status.DebugException), ex.Trailers);
        }
    }

    private static StatusCode CodeOf(ControlPlaneError error) => error switch
    {
        ControlPlaneError.AlreadyExists => StatusCode.AlreadyExists,
        ControlPlaneError.VersionMismatch => StatusCode.Aborted,
        ControlPlaneError.Unavailable => StatusCode.Unavailable,
        _ => StatusCode.NotFound,
    };

    /// <summary><paramref name="detail"/> cut to at most <see cref="MaxDetailBytes"/> UTF-8 bytes, marker included, never inside a surrogate pair.</summary>
    public static string Truncate(string detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        if (Encoding.UTF8.GetByteCount(detail) <= MaxDetailBytes)
        {
            return detail;
        }

        var budget = MaxDetailBytes - Cut.Length;
        var length = 0;
        var bytes = 0;
        while (length < detail.Length)
        {
            var step = char.IsSurrogatePair(detail, length) ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(detail.AsSpan(length, step));
            if (bytes + size > budget)
            {
                break;
            }

            bytes += size;
            length += step;
        }

        return string.Concat(detail.AsSpan(0, length), Cut);
    }
}
