using System.Diagnostics;
using System.Text;
using WalService.Api.V1;

namespace WalService.SqsTests;

/// <summary>The emulator stopped under a consuming namespace, then started again on the same port.</summary>
public sealed class SqsOutageTests(SqsServer server) : SqsServerTest(server), IClassFixture<SqsServer>
{
    private static readonly TimeSpan WriteDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WhileSqsIsDownAWriteIsNotAcknowledgedAndAfterItIsBackWritesAreAcknowledgedAndDelivered()
    {
        var ns = await CreateConsumingAsync(SqsNamespace(Target.Url("/ok")));
        await Server.Emulator.StopAsync();

        var watch = Stopwatch.StartNew();
        var during = await Wal.WriteAsync(ns.Name, Encoding.UTF8.GetBytes("during the outage"), cancellationToken: Ct).WaitAsync(WriteDeadline, Ct);
        watch.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"the write during the outage answered {during.Durable} after {watch.ElapsedMilliseconds} ms: {during.Message}");
        // Nothing listens on the port, so the request certainly never reached SQS: FALSE, safe to retry.
        Assert.Equal(Trilean.False, during.Durable);

        await Server.Emulator.StartAgainAsync();
        // fauxqs keeps its queues in memory, so the restarted emulator has none: create them again under the same
        // names (and so the same URLs, which the server has cached), as an operator would after losing them.
        await Server.Client.CreateQueueAsync(QueueOf(ns), Ct);
        await Server.Client.CreateQueueAsync(DlqOf(ns), Ct);

        var after = await WriteDurableAsync(ns.Name, "after the outage");
        var received = await Target.WaitForAppliedAsync(after, Deadline);

        Assert.Equal("after the outage", Encoding.UTF8.GetString(received.Body));
        Assert.Empty(Target.For(during.MessageId));
    }
}
