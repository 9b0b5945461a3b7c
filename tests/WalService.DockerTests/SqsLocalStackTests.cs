using System.Text;
using System.Text.Json;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.DockerTests;

/// <summary>
/// The acceptance flow on LocalStack's SQS: the service creates the namespace's queues itself, delivers, retries,
/// dead-letters and redrives, on standard and FIFO queues. Where no Docker engine answers, each test is skipped with what was probed.
/// </summary>
public sealed class SqsLocalStackTests(LocalStackServer localStack) : DockerServerTest
{
    protected override string? SkipReason => localStack.SkipReason;

    protected override WalServerFactory Factory => localStack.Factory;

    [Fact]
    public async Task CreatingANamespaceCreatesItsQueueAndADeadLetterQueueItRedrivesTo()
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/ok")));
        var queue = "wal-" + ns.Name.Replace('.', '-');

        var queueUrl = await Eventually.WaitAsync(() => QueueUrlAsync(queue), Deadline, $"queue {queue}");
        var dlqUrl = await Eventually.WaitAsync(() => QueueUrlAsync(queue + "-dlq"), Deadline, $"queue {queue}-dlq");
        var attributes = await localStack.Client.GetQueueAttributesAsync(queueUrl, ["RedrivePolicy"], Ct);
        var dlqArn = (await localStack.Client.GetQueueAttributesAsync(dlqUrl, ["QueueArn"], Ct)).QueueARN;
        using var policy = JsonDocument.Parse(attributes.Attributes["RedrivePolicy"]);

        Assert.EndsWith("/" + queue, queueUrl, StringComparison.Ordinal);
        Assert.EndsWith("/" + queue + "-dlq", dlqUrl, StringComparison.Ordinal);
        Assert.Equal(dlqArn, policy.RootElement.GetProperty("deadLetterTargetArn").GetString());
    }

    [Fact]
    public async Task WrittenMessageReachesTheTargetWithPayloadHeadersAndAppliedStatus()
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/ok")));

        var id = await WriteDurableAsync(ns.Name, "hello", new WalWriteOptions { Headers = new Dictionary<string, string> { ["tenant"] = "eu-1" } });
        var received = await Target.WaitForAppliedAsync(id, Deadline);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.Equal("hello", Encoding.UTF8.GetString(received.Body));
        Assert.Equal(ns.Name, received.Headers["wal-namespace"]);
        Assert.Equal("1", received.Headers["wal-attempt"]);
        Assert.Equal("eu-1", received.Headers["tenant"]);
        Assert.Equal(1, status.Attempts);
        Assert.Single(Target.For(id));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TargetFailingTwiceWith503IsAppliedOnAttemptThree(bool fifo)
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/fail/2"), maxAttempts: 5, fifo: fifo));

        var id = await WriteDurableAsync(ns.Name, "flaky");
        var applied = await Target.WaitForAppliedAsync(id, Deadline);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.Equal(3, applied.Attempt);
        Assert.Equal([503, 503, 200], Target.For(id).Select(r => r.AnsweredStatus));
        Assert.Equal(3, status.Attempts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A400IsDeadLetteredAndARedriveDeliversItOnceTheTargetIsFixed(bool fifo)
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/switch"), maxAttempts: 5, fifo: fifo));
        Target.SwitchStatus = 400;

        var id = await WriteDurableAsync(ns.Name, "bad");
        var dead = await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);
        var letters = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
        Target.SwitchStatus = 200;
        var redrive = await Wal.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
        var applied = await Target.WaitForAppliedAsync(id, Deadline);
        var after = await Eventually.WaitAsync(
            async () =>
            {
                var list = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
                return list.DeadLetters.Count == 0 ? list : null;
            },
            Deadline,
            $"namespace {ns.Name} to have no dead letters");

        Assert.Equal(1, dead.Attempts);
        Assert.Contains("HTTP 400", dead.LastError, StringComparison.Ordinal);
        Assert.Equal("bad", Assert.Single(letters.DeadLetters).Payload.ToStringUtf8());
        Assert.Equal(1, redrive.Redriven);
        Assert.Equal(1, applied.Attempt);
        Assert.Empty(after.DeadLetters);
    }

    /// <summary>A namespace on SQS (a dot in its name, which its queue names turn into a dash) with an HTTP target and fast retries.</summary>
    private static NamespaceConfig SqsNamespace(string url, int maxAttempts = 3, bool fifo = false)
    {
        var config = TestNamespaces.Http($"d.{Guid.NewGuid().ToString("N")[..8]}", url, maxAttempts);
        config.Sqs = new SqsBackend { Fifo = fifo };
        return config;
    }

    private async Task<string?> QueueUrlAsync(string queue)
    {
        try
        {
            return (await localStack.Client.GetQueueUrlAsync(queue, Ct)).QueueUrl;
        }
        catch (Amazon.SQS.Model.QueueDoesNotExistException)
        {
            return null;
        }
    }
}
