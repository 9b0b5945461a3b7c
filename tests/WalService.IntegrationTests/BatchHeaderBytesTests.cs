using Google.Protobuf;
using Grpc.Core;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>A server with a small <c>Wal:MaxBatchBytes</c>: a batch's headers count in it with its payloads.</summary>
public sealed class BatchHeaderBytesTests : ServerTest
{
    public BatchHeaderBytesTests(WalServerFactory factory)
        : base(factory)
    {
        factory.Settings["Wal:MaxBatchBytes"] = "2000";
    }

    [Fact]
    public async Task HeaderBytesCountInTheBatchByteLimit()
    {
        var ns = await CreateAsync(Namespaces.Noop());
        WriteToLogRequest Entry(int headerBytes) => new()
        {
            Namespace = ns.Name,
            Payload = ByteString.CopyFrom(new byte[500]),
            Headers = { ["x-pad"] = new string('v', headerBytes - 5) },
        };
        var fits = new WriteToLogBatchRequest { Entries = { Entry(500), Entry(500) } };
        var over = new WriteToLogBatchRequest { Entries = { Entry(500), Entry(501) } };

        var response = await Wal.Log.WriteToLogBatchAsync(fits, cancellationToken: Ct);

        Assert.All(response.Results, r => Assert.Equal(Trilean.True, r.Durable));
        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Log.WriteToLogBatchAsync(over, cancellationToken: Ct).ResponseAsync,
            "entries: 2001 bytes of payloads and headers exceed the server's batch limit of 2000");
    }
}
