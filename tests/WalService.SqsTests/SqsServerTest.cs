using Amazon.SQS.Model;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.SqsTests;

/// <summary>A test against the in-process server with namespaces on the SQS emulator and a real HTTP target.</summary>
public abstract class SqsServerTest(SqsServer server) : IAsyncLifetime
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static int _counter;

    protected SqsServer Server => server;

    protected WalClient Wal { get; private set; } = null!;

    protected HttpTargetServer Target { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Target = await HttpTargetServer.StartAsync();
        Wal = server.Factory.CreateWalClient();
    }

    public async ValueTask DisposeAsync()
    {
        await Target.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A namespace on SQS (a dot in its name, which its queue names turn into a dash) with an HTTP target and fast retries.</summary>
    protected static NamespaceConfig SqsNamespace(string url, int maxAttempts = 3, bool fifo = false) => new()
    {
        Name = $"s{Interlocked.Increment(ref _counter)}.{Guid.NewGuid().ToString("N")[..6]}",
        Sqs = new SqsBackend { Fifo = fifo },
        AllowTargetOverride = true,
        Target = new Target { Http = new HttpTarget { Url = url, Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } },
        Retry = new RetryPolicy
        {
            MaxAttempts = maxAttempts,
            InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(50)),
            MaxBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200)),
        },
    };

    /// <summary>The default queue name of a namespace: <c>wal-</c> and its name, dots as dashes (and <c>.fifo</c> on a FIFO queue).</summary>
    protected static string QueueOf(NamespaceConfig ns) => Stem(ns) + (ns.Sqs.Fifo ? ".fifo" : string.Empty);

    /// <summary>The default dead-letter queue name of a namespace: its queue's, with <c>-dlq</c> before any <c>.fifo</c>.</summary>
    protected static string DlqOf(NamespaceConfig ns) => Stem(ns) + "-dlq" + (ns.Sqs.Fifo ? ".fifo" : string.Empty);

    private static string Stem(NamespaceConfig ns) => "wal-" + ns.Name.Replace('.', '-');

    protected async Task<NamespaceConfig> CreateAsync(NamespaceConfig config)
    {
        await Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        return config;
    }

    /// <summary>Creates the namespace and waits until its consumer delivers.</summary>
    protected async Task<NamespaceConfig> CreateConsumingAsync(NamespaceConfig config)
    {
        await CreateAsync(config);
        var warmUp = await WriteDurableAsync(config.Name, "warm-up", new WalWriteOptions { Target = new Target { Http = new HttpTarget { Url = Target.Url("/ok") } } });
        await Target.WaitForAppliedAsync(warmUp, Deadline);
        return config;
    }

    protected async Task<string> WriteDurableAsync(string ns, string payload, WalWriteOptions? options = null)
    {
        var response = await Wal.WriteAsync(ns, System.Text.Encoding.UTF8.GetBytes(payload), options, Ct);
        Assert.True(response.Durable == Trilean.True, $"write answered {response.Durable}: {response.Message}");
        return response.MessageId;
    }

    protected Task<MessageStatus> WaitForStateAsync(string ns, string id, MessageState state) =>
        Eventually.WaitAsync(
            async () =>
            {
                var status = await Wal.GetStatusAsync(ns, id, Ct);
                return status.State == state ? status : null;
            },
            Deadline,
            $"message {id} to reach {state}");

    protected static async Task<RpcException> AssertRpcErrorAsync(StatusCode expected, Func<Task> call, string messageContains)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, error.StatusCode);
        Assert.Contains(messageContains, error.Status.Detail, StringComparison.Ordinal);
        return error;
    }

    /// <summary>Receives from <paramref name="queue"/> with a plain client until the message whose <c>wal-message-id</c> is <paramref name="messageId"/> comes.</summary>
    protected Task<Message> ReceiveOneAsync(string queue, string messageId) =>
        Eventually.WaitAsync(
            async () =>
            {
                var url = (await Server.Client.GetQueueUrlAsync(queue, Ct)).QueueUrl;
                var response = await Server.Client.ReceiveMessageAsync(
                    new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, WaitTimeSeconds = 1, MessageAttributeNames = ["All"], MessageSystemAttributeNames = ["All"] },
                    Ct);
                return (response.Messages ?? []).FirstOrDefault(m => m.MessageAttributes?.GetValueOrDefault("wal-message-id")?.StringValue == messageId);
            },
            Deadline,
            $"message {messageId} in queue {queue}");
}
