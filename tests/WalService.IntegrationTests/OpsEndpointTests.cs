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

    [Fact]
    public async Task AReplicatedRegionThatKeepsFailingIsNamedByReadyzAndItsDeliveriesAndBacklogAreCountedByRegion()
    {
        var config = Namespaces.Http(Target.Url("/ok"), maxAttempts: 50);
        config.Target = TestNamespaces.Replicate(("near", Target.Url("/ok")), ("far", Target.Url("/status/503")));
        await CreateAsync(config);
        var id = await WriteDurableAsync(config.Name, "replicated");
        await Target.WaitForAppliedAsync(id, Deadline);
        using var http = Factory.CreateClient();

        var ready = await Eventually.WaitAsync(
            async () =>
            {
                var answer = await http.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
                var body = await answer.Content.ReadAsStringAsync(Ct);
                using var json = System.Text.Json.JsonDocument.Parse(body);
                var wal = json.RootElement.GetProperty("checks").GetProperty("wal");
                return wal.GetProperty("status").GetString() == "Degraded" ? $"{(int)answer.StatusCode} {wal.GetProperty("description").GetString()}" : null;
            },
            TimeSpan.FromSeconds(15),
            "readyz to name the failing region");
        var text = await Eventually.WaitAsync(
            async () =>
            {
                var body = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);
                return body.Contains($"outcome=\"retry\",region=\"far\"", StringComparison.Ordinal)
                    && body.Contains($"wal_region_backlog{{otel_scope_name=\"WalService\",namespace=\"{config.Name}\",region=\"far\"}} 1", StringComparison.Ordinal)
                    ? body
                    : null;
            },
            TimeSpan.FromSeconds(15),
            "the deliveries and the backlog to show the failing region");

        Assert.StartsWith("200 ", ready, StringComparison.Ordinal);
        Assert.Contains($"region 'far' of namespace '{config.Name}'", ready, StringComparison.Ordinal);
        Assert.DoesNotContain("region 'near'", ready, StringComparison.Ordinal);
        Assert.Contains($"wal_deliveries_total{{otel_scope_name=\"WalService\",namespace=\"{config.Name}\",outcome=\"applied\",region=\"near\"}} 1", text, StringComparison.Ordinal);
        Assert.Contains($"wal_deliveries_total{{otel_scope_name=\"WalService\",namespace=\"{config.Name}\",outcome=\"retry\",region=\"far\"}}", text, StringComparison.Ordinal);
        Assert.DoesNotContain($"wal_deliveries_total{{otel_scope_name=\"WalService\",namespace=\"{config.Name}\",outcome=\"applied\"}}", text, StringComparison.Ordinal);
        Assert.Contains($"wal_region_backlog{{otel_scope_name=\"WalService\",namespace=\"{config.Name}\",region=\"near\"}} 0", text, StringComparison.Ordinal);
    }
}

[CollectionDefinition(nameof(OpsEndpointTests), DisableParallelization = true)]
public sealed class OpsEndpointsRunAlone;
