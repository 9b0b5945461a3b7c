using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.SqsTests;

/// <remarks>Runs alone (see <see cref="SqsMetricsGroup"/>).</remarks>
[Collection(SqsMetricsGroup.Name)]
public sealed class SqsMetricsTests(SqsServer server) : SqsServerTest(server), IClassFixture<SqsServer>
{
    [Fact]
    public async Task MetricsShowSendsReceivesVisibilityChangesQueueDepthAndSendErrors()
    {
        var config = SqsNamespace(Target.Url("/slow/1500"));
        config.Sqs.VisibilityTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(2));
        // A backoff longer than the consumer holds a message for (half the visibility timeout) is a visibility change.
        config.Retry.InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromSeconds(2));
        config.Retry.MaxBackoff = Duration.FromTimeSpan(TimeSpan.FromSeconds(2));
        var ns = await CreateConsumingAsync(config);
        var queue = QueueOf(ns);
        using var http = Server.Factory.CreateClient();

        await WriteDurableAsync(ns.Name, "later", new WalWriteOptions { Delay = TimeSpan.FromMinutes(10) });
        await Target.WaitForAppliedAsync(await WriteDurableAsync(ns.Name, "slow"), Deadline);
        await Target.WaitForAppliedAsync(await WriteDurableAsync(ns.Name, "flaky", new WalWriteOptions { Target = new Target { Http = new HttpTarget { Url = Target.Url("/fail/1") } } }), Deadline);
        var text = await ScrapeUntilAsync(http, "wal_sqs_queue_depth", $"namespace=\"{ns.Name}\"", "state=\"delayed\"} 1");

        Assert.True(PrometheusText.Has(text, "wal_sqs_send_duration_seconds_bucket", $"queue=\"{queue}\"", "outcome=\"sent\""));
        Assert.True(PrometheusText.Has(text, "wal_sqs_receive_messages_bucket", $"namespace=\"{ns.Name}\""));
        Assert.True(PrometheusText.Has(text, "wal_sqs_visibility_changes_total", $"namespace=\"{ns.Name}\"", "reason=\"extend\""));
        Assert.True(PrometheusText.Has(text, "wal_sqs_visibility_changes_total", $"namespace=\"{ns.Name}\"", "reason=\"retry\""));
        Assert.True(PrometheusText.Has(text, "wal_sqs_queue_depth", $"namespace=\"{ns.Name}\"", "state=\"visible\""));
        Assert.True(PrometheusText.Has(text, "wal_sqs_queue_depth", $"namespace=\"{ns.Name}\"", "state=\"in_flight\""));

        await Server.Client.DeleteQueueAsync((await Server.Client.GetQueueUrlAsync(queue, Ct)).QueueUrl, Ct);
        var refused = await Wal.WriteAsync(ns.Name, "gone"u8.ToArray(), null, Ct);
        var errors = await ScrapeUntilAsync(http, "wal_sqs_send_errors_total", $"queue=\"{queue}\"");

        Assert.NotEqual(Trilean.True, refused.Durable);
        Assert.True(PrometheusText.Has(errors, "wal_sqs_send_duration_seconds_bucket", $"queue=\"{queue}\"", "outcome=\"refused\""));
    }

    private static async Task<string> ScrapeUntilAsync(HttpClient http, string metric, params string[] labels)
    {
        var last = "";
        try
        {
            return await Eventually.WaitAsync(
                async () =>
                {
                    last = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);
                    return PrometheusText.Has(last, metric, labels) ? last : null;
                },
                Deadline,
                $"{metric} with {string.Join(", ", labels)} to show up on /metrics");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; last seen: [{string.Join("; ", PrometheusText.Series(last, metric))}]", ex);
        }
    }
}

/// <summary>
/// The test classes that read <c>/metrics</c>, run one after another and alone: OpenTelemetry collects meters by name
/// process-wide, so another in-process server would mix its measurements in, and one shutting down would end the
/// streams it shares with this one.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SqsMetricsGroup
{
    public const string Name = "SQS metrics";
}
