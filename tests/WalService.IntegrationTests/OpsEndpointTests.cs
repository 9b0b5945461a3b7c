using System.Net;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <remarks>
/// Runs alone: OpenTelemetry listens to meters by name process-wide, so another in-process server's instruments of
/// the same name would take the place of this server's on its /metrics.
/// </remarks>
[Collection(nameof(OpsEndpointTests))]
public sealed class OpsEndpointTests(WalServerFactory factory) : ServerTest(factory)
{
    [Fact]
    public async Task HealthzAndReadyzAnswerOk()
    {
        using var http = Factory.CreateClient();

        var alive = await http.GetAsync(new Uri("/healthz", UriKind.Relative), Ct);
        var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"status\":\"Healthy\"", await ready.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsShowWritesDeliveriesAndBacklogByNamespace()
    {
        var config = await CreateAsync(Namespaces.Http(Target.Url("/ok")));
        var id = await WriteDurableAsync(config.Name, "measured");
        await Target.WaitForAppliedAsync(id, Deadline);
        await WriteDurableAsync(config.Name, "waiting", new Client.WalWriteOptions { Delay = TimeSpan.FromHours(1) });
        using var http = Factory.CreateClient();

        var text = await Eventually.WaitAsync(
            async () =>
            {
                var body = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);
                return body.Contains($"wal_backlog{{otel_scope_name=\"WalService\",namespace=\"{config.Name}\",state=\"delayed\"}} 1", StringComparison.Ordinal) ? body : null;
            },
            TimeSpan.FromSeconds(15),
            "the backlog gauge to show the delayed message");

        Assert.Contains($"wal_writes_total{{otel_scope_name=\"WalService\",namespace=\"{config.Name}\",outcome=\"durable\"}} 2", text, StringComparison.Ordinal);
        Assert.Contains($"wal_deliveries_total{{otel_scope_name=\"WalService\",namespace=\"{config.Name}\",outcome=\"applied\"}} 1", text, StringComparison.Ordinal);
        Assert.Contains("wal_write_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains("wal_delivery_lag_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains($"wal_dead_letters{{otel_scope_name=\"WalService\",namespace=\"{config.Name}\"}} 0", text, StringComparison.Ordinal);
        Assert.Contains($"wal_oldest_due_age_seconds{{otel_scope_name=\"WalService\",namespace=\"{config.Name}\"}}", text, StringComparison.Ordinal);
    }
}

[CollectionDefinition(nameof(OpsEndpointTests), DisableParallelization = true)]
public sealed class OpsEndpointsRunAlone;
