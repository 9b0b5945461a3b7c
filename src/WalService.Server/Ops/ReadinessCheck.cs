using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WalService.Core.Abstractions;
using WalService.Core.Runtime;

namespace WalService.Server.Ops;

/// <summary>Ready when the control plane and every log backend answer; the description names what is down.</summary>
internal sealed class ReadinessCheck(IControlPlaneStore controlPlane, BackendCatalog backends) : IHealthCheck
{
    public const string Tag = "ready";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var down = new List<string>();
        if (!await controlPlane.IsReadyAsync(cancellationToken))
        {
            down.Add("control plane");
        }

        foreach (var backend in backends.All)
        {
            if (!await backend.IsReadyAsync(cancellationToken))
            {
                down.Add($"{backend.Kind.ToString().ToLowerInvariant()} backend");
            }
        }

        return down.Count == 0
            ? HealthCheckResult.Healthy("control plane and backends reachable")
            : HealthCheckResult.Unhealthy("unreachable: " + string.Join(", ", down));
    }

    /// <summary>Writes <c>{"status": "...", "description": "..."}</c>, so an operator sees what is down.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json";
        var entries = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description });
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString(), checks = entries }));
    }
}
