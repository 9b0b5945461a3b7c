using System.Text;
using Confluent.Kafka;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Client;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// A transaction on Kafka and on SQS against the real server process on its default control plane (<c>control.db</c>,
/// where the chunks are staged), killed with SIGKILL between its chunks and right after its last, and on Kafka also
/// after a last chunk whose completion marker could not be appended (on <c>control.db</c> and on PostgreSQL): the
/// chunks answered TRUE survive, the transaction completes once and every chunk reaches the http target in order.
/// </summary>
public sealed class BrokeredTransactionCrashTests : ProcessTest
{
    private const string Namespace = "txn-crash";
    private const string TransactionId = "crash-1";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Theory]
    [InlineData("kafka")]
    [InlineData("sqs")]
    public async Task StagedChunksSurviveKillNineAndTheTransactionIsDeliveredOnceInOrderAfterRestart(string backend)
    {
        await using var broker = await TestBroker.StartAsync(backend);
        await WithLogTailOnFailureAsync(async () =>
        {
            Step($"1. start the server on {backend}, create a namespace with an http target, stage chunks 2 and 0 of 4, kill -9");
            var client = await StartWithNamespaceAsync(broker);
            var id = await WriteChunkAsync(client, 2, last: false);
            Assert.Equal(id, await WriteChunkAsync(client, 0, last: false));
            await Server.KillAsync();

            Step("2. start again: the transaction is STAGING with 2 chunks; the last chunk, then the missing one, then kill -9 at once");
            await Server.StartAsync();
            client = Server.CreateClient();
            var staging = await client.GetStatusAsync(Namespace, id, Ct);
            Assert.Equal(MessageState.Staging, staging.State);
            Assert.Equal(2, staging.ChunksStaged);
            Assert.Equal(id, await WriteChunkAsync(client, 3, last: true));
            Assert.Equal(id, await WriteChunkAsync(client, 1, last: false));
            await Server.KillAsync();

            Step("3. start again: the transaction is APPLIED, every chunk reached the target in order");
            var beforeRestart = Delivered(id).Count;
            await Server.StartAsync();
            await WaitForAppliedAsync(id);
            var delivered = Delivered(id);
            Step($"   chunks delivered: {string.Join(", ", delivered)}, {beforeRestart} of them before the restart");
            AssertDeliveredOnceInOrder(delivered, 4, beforeRestart);
        });
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task OnKafkaATransactionWhoseMarkerWasNotAppendedBeforeKillNineIsDeliveredOnceAfterRestart(string controlPlane)
    {
        await using var broker = await TestBroker.StartAsync("kafka");
        await using var postgres = controlPlane == "postgres" ? await PostgresServer.StartAsync() : null;
        if (postgres is not null)
        {
            Server.Environment["Wal__ControlPlane__Provider"] = "postgres";
            Server.Environment["ConnectionStrings__ControlPlane"] = await postgres.CreateDatabaseAsync("control");
        }

        await WithLogTailOnFailureAsync(async () =>
        {
            Step($"1. start the server on kafka and a {controlPlane} control plane; stage chunk 0 of 2; the next produce fails, so the last chunk is staged but its marker is not appended");
            var client = await StartWithNamespaceAsync(broker);
            var id = await WriteChunkAsync(client, 0, last: false);
            broker.Kafka.FailNextProduces(1, ErrorCode.PolicyViolation);
            Assert.Equal(id, await WriteChunkAsync(client, 1, last: true));
            Assert.True(Server.Logged("completion marker of transaction", id, "was not appended"), "the marker's append did not fail");
            await AssertPendingAsync(client, id);

            Step("2. it reads PENDING; kill -9 before any sweep, start again: a sweep appends the marker and the transaction is delivered once");
            await Server.KillAsync();
            var beforeRestart = Target.For(id).Count;
            await Server.StartAsync();
            await WaitForAppliedAsync(id);
            Assert.True(Server.Logged("Appending 1 completion marker(s) of namespace", Namespace), "no sweep appended the marker");
            Assert.Equal(0, beforeRestart);
            AssertDeliveredOnceInOrder(Delivered(id), 2, beforeRestart);
        });
    }

    /// <summary>
    /// The chunks reached the target as 0..count-1, in order, each once; but the kill may have come between the last
    /// chunk delivered before the restart and the record of that delivery (at least once), so that one chunk, and no
    /// other, may come again as the first delivery after the restart.
    /// </summary>
    private static void AssertDeliveredOnceInOrder(List<int> delivered, int count, int beforeRestart)
    {
        var collapsed = delivered.Where((chunk, i) => i == 0 || delivered[i - 1] != chunk).ToList();
        Assert.Equal(Enumerable.Range(0, count), collapsed);
        if (delivered.Count > count)
        {
            Assert.Equal(count + 1, delivered.Count);
            Assert.InRange(beforeRestart, 1, count);
            Assert.Equal(delivered[beforeRestart - 1], delivered[beforeRestart]);
        }
    }

    /// <summary>A complete transaction whose marker is not appended yet is known: PENDING, with every chunk staged.</summary>
    private static async Task AssertPendingAsync(WalClient client, string id)
    {
        var status = await client.GetStatusAsync(Namespace, id, Ct);
        Assert.Equal(MessageState.Pending, status.State);
        Assert.Equal(2, status.ChunksStaged);
    }

    private async Task<WalClient> StartWithNamespaceAsync(TestBroker broker)
    {
        broker.Configure(Server);
        await Server.StartAsync();
        var client = Server.CreateClient();
        var config = broker.OnBroker(new NamespaceConfig
        {
            Name = Namespace,
            Target = new Target { Http = new HttpTarget { Url = Target.Url("/ok") } },
            Retry = new RetryPolicy { InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)) },
        });
        await client.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        return client;
    }

    private async Task WaitForAppliedAsync(string id)
    {
        var client = Server.CreateClient();
        await Eventually.WaitAsync(
            async () => (await client.GetStatusAsync(Namespace, id, Ct)).State == MessageState.Applied,
            Deadline,
            "the transaction to be applied");
    }

    /// <summary>The chunks the target applied, in arrival order, each checked against the payload sent for it.</summary>
    private List<int> Delivered(string id)
    {
        var applied = Target.For(id).Where(r => r.AnsweredStatus == 200).ToList();
        Assert.All(applied, r => Assert.Equal($"chunk {r.Headers["wal-chunk"]}", Encoding.UTF8.GetString(r.Body)));
        return [.. applied.Select(r => int.Parse(r.Headers["wal-chunk"], System.Globalization.CultureInfo.InvariantCulture))];
    }

    private static async Task<string> WriteChunkAsync(WalClient client, int sequence, bool last)
    {
        var response = await client.Log.WriteToLogAsync(
            new WriteToLogRequest
            {
                Namespace = Namespace,
                Payload = ByteString.CopyFromUtf8($"chunk {sequence}"),
                Chunk = new Chunk { TransactionId = TransactionId, Sequence = sequence, Last = last },
            },
            cancellationToken: Ct);
        Assert.True(response.Durable == Trilean.True, $"chunk {sequence}: {response.Durable} {response.Message}");
        return response.MessageId;
    }
}
