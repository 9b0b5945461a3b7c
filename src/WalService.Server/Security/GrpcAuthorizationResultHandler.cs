using System.Globalization;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace WalService.Server.Security;

/// <summary>
/// Answers a gRPC call that authorization refused with a gRPC status (a trailers-only response) instead of a bare
/// HTTP 401/403: UNAUTHENTICATED with what was wrong, RESOURCE_EXHAUSTED with <c>retry-after-ms</c> while the address
/// is throttled, PERMISSION_DENIED naming the rule. Other requests get ASP.NET Core's default answer.
/// </summary>
internal sealed class GrpcAuthorizationResultHandler(AuthSettings settings) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Succeeded || context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
        {
            return _default.HandleAsync(next, context, policy, authorizeResult);
        }

        var failure = authorizeResult.Forbidden
            ? new AuthFailure(StatusCode.PermissionDenied, authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message ?? "not allowed")
            : context.Items[AuthFailure.ItemKey] as AuthFailure ?? NoIdentity();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)failure.Code).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(failure.Message);
        if (failure.RetryAfter is { } wait)
        {
            response.Headers["retry-after-ms"] = Math.Ceiling(wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }

        return Task.CompletedTask;
    }

    private AuthFailure NoIdentity()
    {
        var ways = new List<string>(2);
        if (!settings.ApiKeys.IsEmpty)
        {
            ways.Add("send 'authorization: Bearer <api key>'");
        }

        if (settings.CertificateMode != Hosting.ClientCertificateMode.None)
        {
            ways.Add("present a client certificate");
        }

        if (ways.Count == 0)
        {
            ways.Add($"name the client in the '{WalAuthenticationHandler.ClientIdHeader}' header");
        }

        return new AuthFailure(StatusCode.Unauthenticated, "no client identity: " + string.Join(" or ", ways));
    }

    /// <summary><c>grpc-message</c> encoding: printable ASCII except '%' as is, every other UTF-8 byte as %XX.</summary>
    private static string PercentEncode(string message)
    {
        var text = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != '%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
