using System.Text.Json;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.DockerTests;

/// <summary>
/// The acceptance flow on LocalStack's SQS, on a standard or a FIFO queue, where the service creates the namespace's
/// queues itself. Where no Docker engine answers, each test is skipped with what was probed.
/// </summary>
public abstract class LocalStackAcceptanceTests(LocalStackServer localStack, bool fifo) : BackendAcceptanceContract(DockerLane.Deadline)
{
    protected override bool KeepsWriteOrder => fifo;

    protected LocalStackServer LocalStack => localStack;

    protected override string? SkipReason => localStack.SkipReason;

    protected override WalServerFactory Factory => localStack.Factory;

    /// <summary>SQS delays in whole seconds.</summary>
    protected override TimeSpan DelaySlack => TimeSpan.FromSeconds(1);

    /// <summary>A namespace on SQS (a dot in its name, which its queue names turn into a dash) with an HTTP target and fast retries.</summary>
    protected override NamespaceConfig Namespace(string url, int maxAttempts = 3)
    {
        var config = TestNamespaces.Http($"d.{Guid.NewGuid().ToString("N")[..8]}", url, maxAttempts);
        config.Sqs = new SqsBackend { Fifo = fifo };
        config.AllowTargetOverride = true;
        return config;
    }

    /// <summary>Waits until the listing is empty rather than reading it once: LocalStack's queues settle after the redriven message was applied.</summary>
    protected override Task<ListDeadLettersResponse> DeadLettersAfterRedriveAsync(string ns) =>
        Eventually.WaitAsync(
            async () =>
            {
                var list = await DeadLettersAsync(ns);
                return list.DeadLetters.Count == 0 ? list : null;
            },
            Deadline,
            $"namespace {ns} to have no dead letters");
}

/// <summary>The acceptance flow on a standard queue, and the queues the service creates for it.</summary>
public sealed class LocalStackStandardQueueAcceptanceTests(LocalStackServer localStack) : LocalStackAcceptanceTests(localStack, fifo: false)
{
    [Fact]
    public async Task CreatingANamespaceCreatesItsQueueAndADeadLetterQueueItRedrivesTo()
    {
        var ns = await CreateAsync(Namespace(Target.Url("/ok")));
        var queue = "wal-" + ns.Name.Replace('.', '-');

        var queueUrl = await Eventually.WaitAsync(() => QueueUrlAsync(queue), Deadline, $"queue {queue}");
        var dlqUrl = await Eventually.WaitAsync(() => QueueUrlAsync(queue + "-dlq"), Deadline, $"queue {queue}-dlq");
        var attributes = await LocalStack.Client.GetQueueAttributesAsync(queueUrl, ["RedrivePolicy"], Ct);
        var dlqArn = (await LocalStack.Client.GetQueueAttributesAsync(dlqUrl, ["QueueArn"], Ct)).QueueARN;
        using var policy = JsonDocument.Parse(attributes.Attributes["RedrivePolicy"]);

        Assert.EndsWith("/" + queue, queueUrl, StringComparison.Ordinal);
        Assert.EndsWith("/" + queue + "-dlq", dlqUrl, StringComparison.Ordinal);
        Assert.Equal(dlqArn, policy.RootElement.GetProperty("deadLetterTargetArn").GetString());
    }

    private async Task<string?> QueueUrlAsync(string queue)
    {
        try
        {
            return (await LocalStack.Client.GetQueueUrlAsync(queue, Ct)).QueueUrl;
        }
        catch (Amazon.SQS.Model.QueueDoesNotExistException)
        {
            return null;
        }
    }
}

/// <summary>The acceptance flow on a FIFO queue.</summary>
public sealed class LocalStackFifoQueueAcceptanceTests(LocalStackServer localStack) : LocalStackAcceptanceTests(localStack, fifo: true);
