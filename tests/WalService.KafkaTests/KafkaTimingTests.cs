using System.Diagnostics;
using Google.Protobuf;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>
/// How soon Kafka namespaces deliver: a new namespace (its group join included), a namespace resumed after writes
/// while paused, and one ordering key's messages, each next one sent as soon as the one before it is applied. The bounds
/// are generous for a loaded machine; the measured times are written to the test output.
/// </summary>
public sealed class KafkaTimingTests(KafkaServer server) : KafkaServerTest(server)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ANewNamespaceDeliversItsFirstMessageWithinSecondsOfItsCreation(bool topicsCreatedBeforehand)
    {
        var config = topicsCreatedBeforehand
            ? KafkaNamespace(Target.Url("/ok"))
            : TestNamespaces.Http($"first-{Guid.NewGuid().ToString("N")[..8]}", Target.Url("/ok"), maxAttempts: 3);
        config.Kafka ??= new KafkaBackend();

        var clock = Stopwatch.StartNew();
        await CreateAsync(config);
        var id = await WriteDurableAsync(config.Name, "first");
        await Target.WaitForAppliedAsync(id, Deadline);

        TestContext.Current.TestOutputHelper?.WriteLine($"first delivery {clock.ElapsedMilliseconds} ms after CreateNamespace (topics created beforehand: {topicsCreatedBeforehand})");
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, Generous);
    }

    [Fact]
    public async Task AThousandMessagesOfOneOrderingKeyWrittenWhilePausedArriveInOrderSoonAfterResume()
    {
        const int count = 1000;
        var config = KafkaNamespace(Target.Url("/ok"));
        config.Consumer = new ConsumerSettings { Concurrency = 8, BatchSize = 50 };
        await CreateConsumingAsync(config);
        await Wal.Admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = config.Name }, cancellationToken: Ct);
        var batch = new WriteToLogBatchRequest();
        for (var i = 0; i < count; i++)
        {
            batch.Entries.Add(new WriteToLogRequest { Namespace = config.Name, Payload = ByteString.CopyFromUtf8($"m{i}"), OrderingKey = "one-key" });
        }

        var written = await Wal.Log.WriteToLogBatchAsync(batch, cancellationToken: Ct);
        Assert.All(written.Results, r => Assert.Equal(Trilean.True, r.Durable));
        var ids = written.Results.Select(r => r.MessageId).ToList();

        var clock = Stopwatch.StartNew();
        await Wal.Admin.ResumeNamespaceAsync(new ResumeNamespaceRequest { Name = config.Name }, cancellationToken: Ct);
        await Target.WaitForAppliedAsync(ids[0], Deadline);
        var first = clock.Elapsed;
        await Target.WaitForAppliedAsync(ids[^1], Deadline);

        var applied = Target.Received.Where(r => r.AnsweredStatus == 200 && ids.Contains(r.MessageId)).Select(r => r.MessageId).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"after ResumeNamespace: first of {count} in {first.TotalMilliseconds:F0} ms, all in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(ids, applied);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, Generous);
    }
}
