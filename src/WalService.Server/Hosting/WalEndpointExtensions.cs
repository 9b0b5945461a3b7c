using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using WalService.Server.Grpc;
using WalService.Server.Ops;

namespace WalService.Server.Hosting;

public static class WalEndpointExtensions
{
    /// <summary>wal.v1.WriteAheadLog, wal.v1.NamespaceAdmin, grpc.health.v1.Health and server reflection.</summary>
    public static WebApplication MapWalGrpc(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<WriteAheadLogService>();
        app.MapGrpcService<NamespaceAdminService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary><c>/healthz</c> (alive), <c>/readyz</c> (control plane and backends reachable) and <c>/metrics</c> (Prometheus).</summary>
    public static WebApplication MapWalOps(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadinessCheck.Tag),
            ResponseWriter = ReadinessCheck.WriteAsync,
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
