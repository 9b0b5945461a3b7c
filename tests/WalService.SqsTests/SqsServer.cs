using Amazon.SQS;
using Amazon.SQS.Model;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.SqsTests;

/// <summary>
/// Per test class an SQS emulator and an in-process server whose <c>Wal:Sqs:ServiceUrl</c> is it. The server takes
/// its credentials from the standard AWS chain, as in production; the emulator checks no signature, so dummy keys in
/// this process's environment (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>) do, unless real ones are set.
/// </summary>
public class SqsServer : IAsyncLifetime
{
    public SqsEmulator Emulator { get; private set; } = null!;

    public AmazonSQSClient Client { get; private set; } = null!;

    public WalServerFactory Factory { get; } = new();

    public async ValueTask InitializeAsync()
    {
        foreach (var key in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY" })
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(key)))
            {
                Environment.SetEnvironmentVariable(key, "test");
            }
        }

        Emulator = await SqsEmulator.StartAsync();
        Client = Emulator.CreateClient();
        Factory.Settings["Wal:Sqs:ServiceUrl"] = Emulator.ServiceUrl;
        Factory.Settings["Wal:Sqs:Region"] = "us-east-1";
    }

    /// <summary>Receives from <paramref name="queue"/> with a plain client until the message whose <c>wal-message-id</c> is <paramref name="messageId"/> comes.</summary>
    public Task<Message> ReceiveOneAsync(string queue, string messageId, TimeSpan deadline) =>
        Eventually.WaitAsync(
            async () =>
            {
                var ct = TestContext.Current.CancellationToken;
                var url = (await Client.GetQueueUrlAsync(queue, ct)).QueueUrl;
                var response = await Client.ReceiveMessageAsync(
                    new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, WaitTimeSeconds = 1, MessageAttributeNames = ["All"], MessageSystemAttributeNames = ["All"] },
                    ct);
                return (response.Messages ?? []).FirstOrDefault(m => m.MessageAttributes?.GetValueOrDefault("wal-message-id")?.StringValue == messageId);
            },
            deadline,
            $"message {messageId} in queue {queue}");

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        Client?.Dispose();
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
