using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>Runs alone: OpenTelemetry collects meters by name process-wide, so another in-process server would mix its measurements in.</summary>
[Collection(KafkaFaultGroup.Name)]
public sealed class KafkaMetricsTests(KafkaServer server) : KafkaServerTest(server)
{
    [Fact]
    public async Task MetricsShowProduceLatencyAndConsumerLagPerPartition()
    {
        var ns = await CreateConsumingAsync(KafkaNamespace(Target.Url("/ok"), partitions: 2));
        await Target.WaitForAppliedAsync(await WriteDurableAsync(ns.Name, "measured"), Deadline);
        using var http = Factory.CreateClient();

        var text = await Eventually.WaitAsync(
            async () =>
            {
                var body = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);
                return body.Contains($"wal_kafka_consumer_lag{{otel_scope_name=\"WalService\",namespace=\"{ns.Name}\",partition=", StringComparison.Ordinal) ? body : null;
            },
            Deadline,
            "the consumer lag gauge to show the namespace");

        Assert.Contains("wal_kafka_produce_duration_seconds_bucket{otel_scope_name=\"WalService\",cluster=\"default\",outcome=\"persisted\"", text, StringComparison.Ordinal);
        Assert.Contains($"topic=\"wal.{ns.Name}\"}} 0", text, StringComparison.Ordinal);
        Assert.Contains($"wal_deliveries_total{{otel_scope_name=\"WalService\",namespace=\"{ns.Name}\",outcome=\"applied\"}} 2", text, StringComparison.Ordinal);
    }
}
