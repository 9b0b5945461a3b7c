using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// A transaction on the embedded log against the real server process, killed with SIGKILL between its chunks and
/// right after its last: the chunks answered TRUE survive, the transaction completes once and is delivered in order.
/// </summary>
public sealed class TransactionCrashTests : ProcessTest
{
    [Fact]
    public async Task StagedChunksSurviveKillNineAndTheTransactionIsDeliveredInOrderAfterRestart()
    {
        await WithLogTailOnFailureAsync(async () =>
        {
            Step("1. start the server, create a namespace with an http target, stage chunks 0 and 1 of 3, kill -9");
            await Server.StartAsync();
            var client = Server.CreateClient();
            const string ns = "txn-crash";
            await client.Admin.CreateNamespaceAsync(
                new CreateNamespaceRequest
                {
                    Config = new NamespaceConfig
                    {
                        Name = ns,
                        Target = new Target { Http = new HttpTarget { Url = Target.Url("/ok") } },
                        Retry = new RetryPolicy { InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)) },
                    },
                },
                cancellationToken: Ct);
            var id = await WriteChunkAsync(client, ns, 0, last: false);
            Assert.Equal(id, await WriteChunkAsync(client, ns, 1, last: false));
            await Server.KillAsync();

            Step("2. start again: the transaction is STAGING with 2 chunks; the last chunk completes it, then kill -9 at once");
            await Server.StartAsync();
            client = Server.CreateClient();
            var staging = await client.GetStatusAsync(ns, id, Ct);
            Assert.Equal(MessageState.Staging, staging.State);
            Assert.Equal(2, staging.ChunksStaged);
            Assert.Equal(id, await WriteChunkAsync(client, ns, 2, last: true));
            await Server.KillAsync();

            Step("3. start again: every chunk reaches the target, in order, and the transaction is APPLIED");
            await Server.StartAsync();
            client = Server.CreateClient();
            await Eventually.WaitAsync(
                async () => (await client.GetStatusAsync(ns, id, Ct)).State == MessageState.Applied,
                TimeSpan.FromSeconds(30),
                "the transaction to be applied");
            var chunks = Target.For(id).Select(r => r.Headers["wal-chunk"]).Distinct().ToList();
            Assert.Equal(["0", "1", "2"], chunks);
            Assert.All(Target.For(id), r => Assert.Equal($"chunk {r.Headers["wal-chunk"]}", Encoding.UTF8.GetString(r.Body)));
        });
    }

    private static async Task<string> WriteChunkAsync(WalClient client, string ns, int sequence, bool last)
    {
        var response = await client.Log.WriteToLogAsync(
            new WriteToLogRequest
            {
                Namespace = ns,
                Payload = ByteString.CopyFromUtf8($"chunk {sequence}"),
                Chunk = new Chunk { TransactionId = "crash-1", Sequence = sequence, Last = last },
            },
            cancellationToken: Ct);
        Assert.Equal(Trilean.True, response.Durable);
        return response.MessageId;
    }
}
