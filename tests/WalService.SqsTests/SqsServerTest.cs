using Amazon.SQS.Model;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.SqsTests;

/// <summary>A test against the in-process server with namespaces on the SQS emulator and a real HTTP target.</summary>
public abstract class SqsServerTest(SqsServer server) : WalServerTest(Deadline)
{
    internal static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static int _counter;

    protected SqsServer Server => server;

    protected override WalServerFactory Factory => server.Factory;

    /// <summary>A namespace on SQS (a dot in its name, which its queue names turn into a dash) with an HTTP target and fast retries.</summary>
    internal static NamespaceConfig SqsNamespace(string url, int maxAttempts = 3, bool fifo = false)
    {
        var config = TestNamespaces.Http($"s{Interlocked.Increment(ref _counter)}.{Guid.NewGuid().ToString("N")[..6]}", url, maxAttempts);
        config.Sqs = new SqsBackend { Fifo = fifo };
        config.AllowTargetOverride = true;
        return config;
    }

    /// <summary>The default queue name of a namespace: <c>wal-</c> and its name, dots as dashes (and <c>.fifo</c> on a FIFO queue).</summary>
    protected static string QueueOf(NamespaceConfig ns) => Stem(ns) + (ns.Sqs.Fifo ? ".fifo" : string.Empty);

    /// <summary>The default dead-letter queue name of a namespace: its queue's, with <c>-dlq</c> before any <c>.fifo</c>.</summary>
    internal static string DlqOf(NamespaceConfig ns) => Stem(ns) + "-dlq" + (ns.Sqs.Fifo ? ".fifo" : string.Empty);

    private static string Stem(NamespaceConfig ns) => "wal-" + ns.Name.Replace('.', '-');

    /// <summary>Receives from <paramref name="queue"/> with a plain client until the message whose <c>wal-message-id</c> is <paramref name="messageId"/> comes.</summary>
    protected Task<Message> ReceiveOneAsync(string queue, string messageId) => server.ReceiveOneAsync(queue, messageId, Deadline);
}
