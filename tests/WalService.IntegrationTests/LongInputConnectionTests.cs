using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>
/// Over a real HTTP/2 connection to Kestrel: an error about an input of 100 KB is answered with a short status, and
/// the connection goes on serving calls. A status detail reaches the client as the <c>grpc-message</c> header, and
/// a header block beyond the client's limit (64 KiB in .NET) fails the whole connection.
/// </summary>
public sealed class LongInputConnectionTests : IAsyncLifetime
{
    private const int MaxDetailBytes = 1024;
    private static readonly string Huge = new('a', 100_000);
    private readonly WalServerFactory _factory = new();
    private GrpcChannel _channel = null!;
    private WalClient _wal = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var port = FreePort();
        _factory.Settings["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{port}";
        _factory.Settings["Kestrel:Endpoints:Ops:Url"] = $"http://127.0.0.1:{FreePort()}";
        _factory.UseKestrel();
        _factory.StartServer();
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        _wal = new WalClient(new WriteAheadLog.WriteAheadLogClient(_channel), new NamespaceAdmin.NamespaceAdminClient(_channel));
        await Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task HugeNamespacesAndMessageIdsAreRefusedShortlyAndTheConnectionGoesOn()
    {
        var ns = Namespaces.Noop("long-input");
        await _wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = ns }, cancellationToken: Ct);

        await AssertShortErrorAsync(StatusCode.InvalidArgument, "namespace", () => _wal.Log.WriteToLogAsync(new WriteToLogRequest { Namespace = Huge }, cancellationToken: Ct).ResponseAsync);
        await AssertShortErrorAsync(StatusCode.InvalidArgument, "message_id", () => _wal.Log.GetMessageStatusAsync(new GetMessageStatusRequest { Namespace = ns.Name, MessageId = Huge }, cancellationToken: Ct).ResponseAsync);
        await AssertShortErrorAsync(StatusCode.InvalidArgument, "namespace", () => _wal.Log.GetMessageStatusAsync(new GetMessageStatusRequest { Namespace = Huge, MessageId = "01" }, cancellationToken: Ct).ResponseAsync);
        await AssertShortErrorAsync(StatusCode.InvalidArgument, "name", () => _wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = Huge }, cancellationToken: Ct).ResponseAsync);

        var response = await _wal.WriteAsync(ns.Name, "after"u8.ToArray(), cancellationToken: Ct);
        Assert.Equal(Trilean.True, response.Durable);
    }

    [Fact]
    public async Task AnyStatusDetailIsCutAtOneKibibyteAndTheConnectionGoesOn()
    {
        // A config is refused naming every violation: 2,000 of them make a detail of about 90 KB before the cap.
        var config = Namespaces.Noop("many-violations");
        config.AllowedClients.Add(Enumerable.Repeat(string.Empty, 2000));

        var error = await AssertShortErrorAsync(StatusCode.InvalidArgument, "config.allowed_clients[0]", () => _wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct).ResponseAsync);

        Assert.EndsWith("... (truncated)", error.Status.Detail, StringComparison.Ordinal);
        var ns = Namespaces.Noop("after-cut");
        await _wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = ns }, cancellationToken: Ct);
        Assert.Equal(ns.Name, (await _wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = ns.Name }, cancellationToken: Ct)).Config.Name);
    }

    private static async Task<RpcException> AssertShortErrorAsync(StatusCode expected, string field, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, error.StatusCode);
        Assert.Contains(field, error.Status.Detail, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(error.Status.Detail) <= MaxDetailBytes, $"{error.Status.Detail.Length} characters of detail");
        return error;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
