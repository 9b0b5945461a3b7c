using System.Text;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.SqsTests;

/// <summary>
/// Server-wide SQS settings, on a <see cref="TunedSqsServer"/>: a delay longer than one send may carry (one second
/// here, 15 minutes in production, so the test does in seconds what takes hours there), and concurrent writes
/// coalesced into batches. Runs alone: it reads <c>/metrics</c> (see <see cref="SqsMetricsGroup"/>).
/// </summary>
[Collection(SqsMetricsGroup.Name)]
public sealed class SqsOptionsTests(TunedSqsServer server) : SqsServerTest(server), IClassFixture<TunedSqsServer>
{
    [Fact]
    public async Task AMessageDueAfterSeveralSendDelaysIsSentAgainUntilDueAndArrivesOnTimeAsItsFirstAttempt()
    {
        var ns = await CreateConsumingAsync(SqsNamespace(Target.Url("/ok")));
        var writtenAt = DateTimeOffset.UtcNow;

        var id = await WriteDurableAsync(ns.Name, "in four hops", new WalWriteOptions { Delay = TimeSpan.FromSeconds(4) });
        var received = await Target.WaitForAppliedAsync(id, Deadline);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);
        var metrics = await MetricsAfterAsync(ns.Name, applied: 2);

        Assert.InRange(received.ReceivedAt - writtenAt, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));
        Assert.Equal("in four hops", Encoding.UTF8.GetString(received.Body));
        Assert.Equal(1, received.Attempt);
        Assert.Equal(1, status.Attempts);
        Assert.True(PrometheusText.Sum(metrics, "wal_sqs_send_duration_seconds_count", $"queue=\"{QueueOf(ns)}\"") >= 4, $"expected the warm-up, the write and at least two sends again to {QueueOf(ns)}:\n{metrics}");
    }

    [Fact]
    public async Task FortyConcurrentSingleWritesToOneQueueGoOutInFewerSendsThanWrites()
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/ok")));

        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => WriteDurableAsync(ns.Name, $"m{i}")));
        var metrics = await MetricsAfterAsync(ns.Name, applied: 40);

        Assert.Equal(40, ids.Distinct().Count());
        Assert.InRange(PrometheusText.Sum(metrics, "wal_sqs_send_duration_seconds_count", $"queue=\"{QueueOf(ns)}\""), 1, 39);
    }

    /// <summary>
    /// <c>/metrics</c> once it shows <paramref name="applied"/> deliveries in <paramref name="ns"/>: what was sent before
    /// them is in it too (the exporter answers from a cache for a moment, so an earlier scrape may miss the latest).
    /// </summary>
    private Task<string> MetricsAfterAsync(string ns, int applied) =>
        Eventually.WaitAsync(
            async () =>
            {
                using var http = Server.Factory.CreateClient();
                var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);
                return PrometheusText.Sum(metrics, "wal_deliveries_total", $"namespace=\"{ns}\"", "outcome=\"applied\"") >= applied ? metrics : null;
            },
            Deadline,
            $"/metrics to count {applied} deliveries in {ns}");
}

/// <summary>An <see cref="SqsServer"/> whose sends carry a delay of at most one second, one send to a queue at a time.</summary>
public sealed class TunedSqsServer : SqsServer
{
    public TunedSqsServer()
    {
        Factory.Settings["Wal:Sqs:MaxSendDelay"] = "00:00:01";
        Factory.Settings["Wal:Sqs:MaxSendsInFlight"] = "1";
    }
}
