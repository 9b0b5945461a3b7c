using System.Diagnostics;
using System.Text;
using WalService.Api.V1;

namespace WalService.SqsTests;

/// <summary>The emulator stopped under a consuming namespace, then started again on the same port.</summary>
public sealed class SqsOutageTests(SqsServer server) : SqsServerTest(server), IClassFixture<SqsServer>
{
    private static readonly TimeSpan WriteDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WhileSqsIsDownTheDeadLettersAreStillListedFromTheArchive()
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/status/400")));
        var id = await WriteDurableAsync(ns.Name, "bad");
        await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);

        await Server.Emulator.StopAsync();
        try
        {
            // The dead-letter queue cannot be brought in step now; the listing gives up on it within seconds.
            var letters = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, deadline: DateTime.UtcNow + WriteDeadline, cancellationToken: Ct);

            Assert.Equal(id, Assert.Single(letters.DeadLetters).MessageId);
        }
        finally
        {
            await Server.Emulator.StartAgainAsync();
            // The restarted emulator has lost the namespace's queues: its consumer stops with it.
            await Wal.Admin.DeleteNamespaceAsync(new DeleteNamespaceRequest { Name = ns.Name, Force = true }, cancellationToken: Ct);
        }
    }

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
