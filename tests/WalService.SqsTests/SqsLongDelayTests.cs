using System.Text;
using WalService.Api.V1;
using WalService.Client;

namespace WalService.SqsTests;

/// <summary>
/// A delay longer than one send may carry, on a server whose sends carry at most one second
/// (<c>Wal:Sqs:MaxSendDelay</c>, 15 minutes in production), so the test does in seconds what takes hours there.
/// </summary>
public sealed class SqsLongDelayTests(ShortHopSqsServer server) : SqsServerTest(server), IClassFixture<ShortHopSqsServer>
{
    [Fact]
    public async Task AMessageDueAfterSeveralSendDelaysIsSentAgainUntilDueAndArrivesOnTimeAsItsFirstAttempt()
    {
        var ns = await CreateConsumingAsync(SqsNamespace(Target.Url("/ok")));
        var writtenAt = DateTimeOffset.UtcNow;

        var id = await WriteDurableAsync(ns.Name, "in four hops", new WalWriteOptions { Delay = TimeSpan.FromSeconds(4) });
        var received = await Target.WaitForAppliedAsync(id, Deadline);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);
        using var http = Server.Factory.CreateClient();
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);

        Assert.InRange(received.ReceivedAt - writtenAt, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));
        Assert.Equal("in four hops", Encoding.UTF8.GetString(received.Body));
        Assert.Equal(1, received.Attempt);
        Assert.Equal(1, status.Attempts);
        Assert.True(SendsTo(metrics, QueueOf(ns)) >= 4, $"expected the warm-up, the write and at least two sends again to {QueueOf(ns)}:\n{metrics}");
    }

    /// <summary>The <c>SendMessageBatch</c> calls to <paramref name="queue"/> that <c>/metrics</c> counts.</summary>
    private static double SendsTo(string metrics, string queue) =>
        metrics.Split('\n')
            .Where(l => l.StartsWith("wal_sqs_send_duration_seconds_count{", StringComparison.Ordinal) && l.Contains($"queue=\"{queue}\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>An <see cref="SqsServer"/> whose sends carry a delay of at most one second.</summary>
public sealed class ShortHopSqsServer : SqsServer
{
    public ShortHopSqsServer() => Factory.Settings["Wal:Sqs:MaxSendDelay"] = "00:00:01";
}
