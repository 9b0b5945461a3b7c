using Google.Protobuf;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>The client's batch writer: single writes of many callers carried together, each answered as its own call would be.</summary>
public sealed class WalBatchWriterTests(WalServerFactory factory) : ServerTest(factory)
{
    [Fact]
    public async Task ConcurrentWritesAreEachDurableWithTheirOwnIdAndDeliveredOnce()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/ok"), "batched"));
        await using var writer = new WalBatchWriter(Wal.Log, calls: 2, maxEntries: 50);

        var answers = await Task.WhenAll(Enumerable.Range(0, 500).Select(i =>
            writer.WriteAsync(WalClient.CreateRequest(ns.Name, System.Text.Encoding.UTF8.GetBytes($"m{i}")), Ct)));
        foreach (var answer in answers)
        {
            await Target.WaitForAppliedAsync(answer.MessageId, Deadline);
        }

        Assert.All(answers, a => Assert.Equal(Trilean.True, a.Durable));
        Assert.Equal(500, answers.Select(a => a.MessageId).Distinct().Count());
        Assert.Equal(
            Enumerable.Range(0, 500).Select(i => $"m{i}"),
            answers.Select(a => System.Text.Encoding.UTF8.GetString(Target.For(a.MessageId).Single().Body)));
    }

    [Fact]
    public async Task ARejectedEntryThrowsItsOwnStatusAndLeavesTheOthersOfItsCallDurable()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/ok"), "batched-bad"));
        await using var writer = new WalBatchWriter(Wal.Log, calls: 1);
        var bad = new WriteToLogRequest { Namespace = ns.Name, Payload = ByteString.CopyFromUtf8("x") };
        bad.Headers["bad header"] = "v";

        var good = Enumerable.Range(0, 20).Select(i => writer.WriteAsync(WalClient.CreateRequest(ns.Name, new byte[] { (byte)i }), Ct)).ToList();
        var refused = await Assert.ThrowsAsync<RpcException>(() => writer.WriteAsync(bad, Ct));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => writer.WriteAsync(WalClient.CreateRequest("no-such-namespace", new byte[1]), Ct));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("headers", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.All(await Task.WhenAll(good), a => Assert.Equal(Trilean.True, a.Durable));
    }

    [Fact]
    public async Task AWriteAfterDisposeIsRefusedAndOneQueuedBeforeIsSent()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/ok"), "batched-end"));
        var writer = new WalBatchWriter(Wal.Log, calls: 1);

        var queued = writer.WriteAsync(WalClient.CreateRequest(ns.Name, new byte[] { 1 }), Ct);
        await writer.DisposeAsync();

        Assert.Equal(Trilean.True, (await queued).Durable);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.WriteAsync(WalClient.CreateRequest(ns.Name, new byte[] { 2 }), Ct));
    }
}
