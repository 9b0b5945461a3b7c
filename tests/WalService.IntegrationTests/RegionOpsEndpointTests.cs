using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>
/// /readyz and /metrics of a replicated namespace whose region keeps failing, on a server of its own: the region
/// leaves its readiness Degraded, which the other ops tests must not see. Runs with them, alone, for the reason they give.
/// </summary>
[Collection(nameof(OpsEndpointTests))]
public sealed class RegionOpsEndpointTests(WalServerFactory factory) : ServerTest(factory)
{
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
