using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// A delivery begun before a crash counts as an attempt on Kafka as on SQS: the server process is killed (SIGKILL)
/// while the target holds a message's first delivery, and the process started after it on the same data folder reads
/// the record again from the committed offset and delivers it as attempt 2. Runs on librdkafka's mock cluster, hosted
/// by the test process so it outlives the server.
/// </summary>
public sealed class KafkaCrashAttemptProcessTests : KafkaProcessTest
{
    private const string Namespace = "crash-attempts";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task AMessageWhoseDeliveryWasUnderWayWhenTheServerWasKilledArrivesAgainAsAttemptTwo()
    {
        await WithLogTailOnFailureAsync(async () =>
        {
            // Arrange: a namespace whose target holds every delivery for a minute (it records each on arrival).
            await Server.StartAsync();
            Kafka.CreateNamespaceTopics(Namespace, partitions: 1);
            var held = new HttpTarget { Url = Target.Url("/slow/60000"), Timeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMinutes(2)) };
            await Server.CreateClient().Admin.CreateNamespaceAsync(
                new CreateNamespaceRequest { Config = new NamespaceConfig { Name = Namespace, Kafka = new KafkaBackend(), Target = new Target { Http = held } } },
                cancellationToken: Ct);
            var answer = await Server.CreateClient().WriteAsync(Namespace, "held"u8.ToArray(), new WalWriteOptions(), Ct);
            Assert.Equal(Trilean.True, answer.Durable);
            var id = answer.MessageId;
            await Eventually.WaitAsync(() => Target.For(id).Count == 1, Generous, "the first delivery to reach the target");
            await Eventually.WaitAsync(
                async () => (await Server.CreateClient().GetStatusAsync(Namespace, id, Ct)).State == MessageState.InFlight,
                Generous,
                "the message's status to read IN_FLIGHT");

            // Act: kill the server while the target holds the delivery, and start it again on the same folder.
            await Server.KillAsync();
            await Server.StartAsync();
            await Eventually.WaitAsync(() => Target.For(id).Count >= 2, Generous, "the message to be delivered again after the restart");

            // Assert
            Assert.Equal([1, 2], Target.For(id).Select(r => r.Attempt).Take(2));
        });
    }
}
