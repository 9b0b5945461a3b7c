using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WalService.Core.Abstractions;
using WalService.Core.Runtime;
using WalService.Core.Telemetry;
using WalService.Sqlite.Storage;

namespace WalService.Server.Ops;

/// <summary>
/// Ready when the control plane and every log backend answer, every namespace a backend reports on is ready, and no
/// embedded SQLite file has a storage fault (disk full, damaged, failing: <see cref="StorageHealth"/>); the
/// description names what is down. A region of a replicated namespace that cannot be reached (<see cref="RegionHealth"/>)
/// makes the answer Degraded, still 200 and naming the region: this instance serves writes and its other regions, and a
/// load balancer must not take every instance of a region out because another region is down.
/// </summary>
internal sealed class ReadinessCheck(IControlPlaneStore controlPlane, BackendCatalog backends, StorageHealth storage, RegionHealth regions) : IHealthCheck
{
    public const string Tag = "ready";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var down = new List<string>();
        if (!await controlPlane.IsReadyAsync(cancellationToken))
        {
            down.Add("control plane");
        }

        down.AddRange(storage.Check().Select(f => "storage " + f));
        var namespaces = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var backend in backends.All)
        {
            var readiness = await backend.CheckReadinessAsync(cancellationToken);
            if (!readiness.Ready)
            {
                down.Add($"{backend.Kind.ToString().ToLowerInvariant()} backend");
            }

            foreach (var (name, state) in readiness.Namespaces)
            {
                namespaces[name] = (state.Ready ? "ready: " : "not ready: ") + state.Detail;
            }
        }

        if (down.Count > 0)
        {
            return HealthCheckResult.Unhealthy("not ready: " + string.Join(", ", down), data: namespaces);
        }

        var unreachable = regions.Unreachable();
        return unreachable.Count == 0
            ? HealthCheckResult.Healthy("control plane and backends reachable", data: namespaces)
            : HealthCheckResult.Degraded(
                "regions not reached: " + string.Join(", ", unreachable.Select(r => $"region '{r.Region}' of namespace '{r.Ns}' ({r.LastError})")),
                data: namespaces);
    }

    /// <summary>
    /// Writes <c>{"status": "...", "checks": {"wal": {"status", "description", "namespaces": {name: state}}}}</c>, so an
    /// operator sees what is down; namespaces appear where their backend reports on them one by one (Kafka).
    /// </summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json";
        var entries = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, namespaces = e.Value.Data });
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString(), checks = entries }));
    }
}
