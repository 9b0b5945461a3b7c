using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using System.Text.Encodings.Web;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.Extensions.Options;
using WalService.Server.Hosting;

namespace WalService.Server.Security;

/// <summary>
/// Establishes the caller's identity: from an API key (<c>authorization: Bearer &lt;key&gt;</c>) when keys are
/// configured, else from a client certificate (its subject CN, after the certificate handler has checked its chain
/// to <c>Wal:Auth:ClientCertificates:CaPath</c>) when certificates are; with neither configured, from the
/// <c>wal-client-id</c> header. A call without credentials gets no identity; a call with bad ones is refused, logged,
/// counted, and counts towards its address's throttle (<see cref="AuthFailureThrottle"/>).
/// </summary>
internal sealed class WalAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AuthSettings settings,
    AuthFailureThrottle throttle,
    AuthMetrics metrics) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Wal";
    public const string ClientIdHeader = "wal-client-id";
    private const string BearerPrefix = "Bearer ";

    private readonly ILogger _log = loggerFactory.CreateLogger<WalAuthenticationHandler>();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!settings.AuthenticationConfigured)
        {
            return Request.Headers[ClientIdHeader].ToString() is { Length: > 0 } named ? Identify(named, ClientIdHeader) : AuthenticateResult.NoResult();
        }

        var authorization = settings.ApiKeys.IsEmpty ? null : Request.Headers.Authorization.ToString();
        var certificate = settings.CertificateMode == ClientCertificateMode.None ? null : Context.Connection.ClientCertificate;
        if (string.IsNullOrEmpty(authorization) && certificate is null)
        {
            return AuthenticateResult.NoResult();
        }

        var address = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.IsThrottled(address, out var retryAfter))
        {
            metrics.Failure("throttled");
            return Refuse(new AuthFailure(
                StatusCode.ResourceExhausted,
                $"too many failed authentications from this address; attempts are refused unchecked for up to {Math.Ceiling(retryAfter.TotalSeconds)} s",
                retryAfter));
        }

        return string.IsNullOrEmpty(authorization)
            ? await FromCertificateAsync(certificate!, address)
            : FromApiKey(authorization, address);
    }

    private AuthenticateResult FromApiKey(string authorization, string address)
    {
        if (!authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || authorization.Length == BearerPrefix.Length)
        {
            return Fail(address, "malformed", "the authorization header must be 'Bearer <api key>'");
        }

        // The key is taken exactly as sent: a key with a stray space is another key.
        return settings.ApiKeys.Find(authorization[BearerPrefix.Length..]) is { } clientId
            ? Identify(clientId, "api-key")
            : Fail(address, "unknown_key", "unknown API key in the authorization header");
    }

    private async Task<AuthenticateResult> FromCertificateAsync(X509Certificate2 certificate, string address)
    {
        var checkedChain = await Context.AuthenticateAsync(CertificateAuthenticationDefaults.AuthenticationScheme);
        if (!checkedChain.Succeeded)
        {
            return Fail(address, "certificate", $"client certificate refused: {checkedChain.Failure?.Message ?? "it does not chain to the configured CA"}");
        }

        return CommonName(certificate) is { Length: > 0 } name
            ? Identify(name, "certificate")
            : Fail(address, "certificate", "client certificate refused: its subject has no CN to name the client");
    }

    /// <summary>The subject's common name (OID 2.5.4.3), the identity a client certificate stands for.</summary>
    internal static string? CommonName(X509Certificate2 certificate) =>
        certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.3")
            .Select(rdn => rdn.GetSingleElementValue())
            .FirstOrDefault();

    private AuthenticateResult Identify(string clientId, string method)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, clientId)], method, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    private AuthenticateResult Fail(string address, string reason, string message)
    {
        AuthLog.Refused(_log, address, reason, message);
        metrics.Failure(reason);
        if (throttle.RecordFailure(address))
        {
            AuthLog.Throttled(_log, address, settings.FailureLimit, settings.FailureWindow);
        }

        return Refuse(new AuthFailure(StatusCode.Unauthenticated, message));
    }

    private AuthenticateResult Refuse(AuthFailure failure)
    {
        Context.Items[AuthFailure.ItemKey] = failure;
        return AuthenticateResult.Fail(failure.Message);
    }
}
