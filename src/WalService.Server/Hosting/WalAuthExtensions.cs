using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WalService.Server.Security;

namespace WalService.Server.Hosting;

public static class WalAuthExtensions
{
    /// <summary>
    /// Authentication (API keys, client certificates, or the <c>wal-client-id</c> header; see <see cref="AuthOptions"/>),
    /// the authorization policies of the gRPC services, and Kestrel's client-certificate mode on https endpoints.
    /// Settings are checked at start.
    /// </summary>
    public static IServiceCollection AddWalAuth(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.TryAddSingleton<AuthSettings>();
        services.TryAddSingleton<AuthFailureThrottle>();
        services.TryAddSingleton<AuthMetrics>();

        // No default scheme: the policies name the scheme, so only calls to the services that carry a policy are
        // authenticated; health checks, reflection and the Ops endpoints build no handler.
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, WalAuthenticationHandler>(WalAuthenticationHandler.SchemeName, null)
            .AddCertificate();
        services.AddOptions<CertificateAuthenticationOptions>(CertificateAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((certificates, auth) => ConfigureChainCheck(certificates, auth.Value.ClientCertificates));
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<AuthSettings>(WalPolicies.Add);
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, GrpcAuthorizationResultHandler>();

        // The TLS handshake only asks for the certificate; its chain is checked by the certificate handler, so a
        // refusal is logged, counted and throttled like any other.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<AuthOptions>>((kestrel, auth) =>
        {
            var mode = auth.Value.ClientCertificates.Mode;
            if (mode != ClientCertificateMode.None)
            {
                kestrel.ConfigureHttpsDefaults(https =>
                {
                    https.ClientCertificateMode = mode == ClientCertificateMode.Require
                        ? Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate
                        : Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate;
                    https.AllowAnyClientCertificate();
                });
            }
        });
        return services;
    }

    /// <summary>Authentication, then endpoint authorization (which the gRPC services' policies need).</summary>
    public static WebApplication UseWalAuth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Client certificates must chain to the CA of <see cref="ClientCertificateOptions.CaPath"/> alone, not to the system's roots.</summary>
    private static void ConfigureChainCheck(CertificateAuthenticationOptions certificates, ClientCertificateOptions options)
    {
        certificates.AllowedCertificateTypes = CertificateTypes.Chained;
        certificates.ChainTrustValidationMode = X509ChainTrustMode.CustomRootTrust;
        certificates.RevocationMode = options.RevocationMode;
        certificates.ValidateCertificateUse = true;
        certificates.ValidateValidityPeriod = true;
        if (options.Mode != ClientCertificateMode.None && options.CaPath is { Length: > 0 } path)
        {
            certificates.CustomTrustStore.ImportFromPemFile(path);
        }
    }
}
