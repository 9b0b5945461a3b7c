using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// A Kafka namespace after its server process stops and starts again, on librdkafka's mock cluster (hosted by the
/// test process, so it outlives the server): a delayed message pending across a SIGTERM arrives soon after its due time
/// or the restart, whichever is later, and after a SIGKILL the restarted process delivers again once the killed
/// member's session has timed out (6 s here; the mock cluster does not let a static member take its old place). On the
/// consumer group protocol (KIP-848) the restarted member is not held as a classic group's first join is. The measured
/// times are written to the test output; the bounds are generous.
/// </summary>
public sealed class KafkaRestartProcessTests : KafkaProcessTest
{
    private const string Namespace = "restarts";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ADelayedMessageAcrossSigtermAndAWriteAfterSigkillArriveSoonAfterTheRestart()
    {
        await WithLogTailOnFailureAsync(async () =>
        {
            await StartWithNamespaceAsync();
            await SigtermAcrossADelayedMessageAsync();

            Step("3. SIGKILL, start again, write: the restarted process delivers");
            await Server.KillAsync();
            await Server.StartAsync();
            var sinceRestart = await WriteAndWaitAsync("after-kill", restartedAt: DateTimeOffset.UtcNow);
            Step($"   first delivery {sinceRestart.TotalMilliseconds:F0} ms after the restart");
        });
    }

    [Fact]
    public async Task OnTheConsumerProtocolADelayedMessageAcrossSigtermArrivesWithoutTheClassicFirstJoinHold()
    {
        var classicJoinDelay = TimeSpan.FromMinutes(1);
        Kafka.SetInitialRebalanceDelay(classicJoinDelay);
        Server.Environment["Wal__Kafka__Clusters__default__GroupProtocol"] = "consumer";
        await WithLogTailOnFailureAsync(async () =>
        {
            await StartWithNamespaceAsync();
            var late = await SigtermAcrossADelayedMessageAsync();
            Assert.True(late < classicJoinDelay / 2, "the restarted member waited as a classic group's first join does");
        });
    }

    private async Task StartWithNamespaceAsync()
    {
        Step("1. start the server, create a Kafka namespace and see it deliver");
        await Server.StartAsync();
        Kafka.CreateNamespaceTopics(Namespace, partitions: 2);
        await Server.CreateClient().Admin.CreateNamespaceAsync(
            new CreateNamespaceRequest { Config = new NamespaceConfig { Name = Namespace, Kafka = new KafkaBackend(), Target = new Target { Http = new HttpTarget { Url = Target.Url("/ok") } } } },
            cancellationToken: Ct);
        await WriteAndWaitAsync("warm-up", null);
    }

    /// <summary>Writes a message due in 3 s, stops the server with SIGTERM at once and starts it again; returns how long after the later of its due time and the restart it arrived.</summary>
    private async Task<TimeSpan> SigtermAcrossADelayedMessageAsync()
    {
        Step("2. write a message due in 3 s, SIGTERM at once, start again");
        var delayed = await WriteAsync("delayed", TimeSpan.FromSeconds(3));
        var due = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3);
        await Server.TerminateAsync(TimeSpan.FromSeconds(30));
        await Server.StartAsync();
        var restarted = DateTimeOffset.UtcNow;
        var arrived = await Target.WaitForAppliedAsync(delayed, Generous);
        var from = due > restarted ? due : restarted;
        Step($"   arrived {(arrived.ReceivedAt - from).TotalMilliseconds:F0} ms after the later of its due time and the restart");
        Assert.True(arrived.ReceivedAt >= due - TimeSpan.FromMilliseconds(50), "the delayed message arrived early");
        return arrived.ReceivedAt - from;
    }

    private async Task<string> WriteAsync(string payload, TimeSpan? delay)
    {
        var answer = await Server.CreateClient().WriteAsync(Namespace, System.Text.Encoding.UTF8.GetBytes(payload), new WalWriteOptions { Delay = delay }, Ct);
        Assert.Equal(Trilean.True, answer.Durable);
        return answer.MessageId;
    }

    private async Task<TimeSpan> WriteAndWaitAsync(string payload, DateTimeOffset? restartedAt)
    {
        var id = await WriteAsync(payload, null);
        var arrived = await Target.WaitForAppliedAsync(id, Generous);
        return restartedAt is { } at ? arrived.ReceivedAt - at : TimeSpan.Zero;
    }
}
