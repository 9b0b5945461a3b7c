using Amazon.SQS;
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
