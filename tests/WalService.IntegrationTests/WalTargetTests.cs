using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using WalService.Api.V1;
using WalService.Client;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Model.Storage;
using WalService.IntegrationTests.Security;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>
/// The <c>wal</c> target between two real servers: the forwarder in-process, the remote on a real listener (plain,
/// with API keys, over TLS with client certificates), its own namespace delivering to a real HTTP target.
/// </summary>
public sealed class WalTargetTests : IAsyncLifetime
{
    private const string AdminKey = "admin-key-7d1f";
    private const string ForwarderKey = "forwarder-key-2b9e";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly List<IAsyncDisposable> _servers = [];
    private readonly List<string> _folders = [];
    private HttpTargetServer _target = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _target = await HttpTargetServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Enumerable.Reverse(_servers))
        {
            await server.DisposeAsync();
        }

        await _target.DisposeAsync();
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AWriteReachesTheRemoteNamespaceAndItsTargetWithPayloadHeadersOrderingKeyAndWriteTime()
    {
        // Arrange
        var remote = StartRemote(RemoteWalServer.FreePort(), []);
        var inbox = await CreateRemoteNamespaceAsync(remote.Client());
        var forwarder = Forwarder(("b", remote.Address, null));
        var ns = await CreateForwardingNamespaceAsync(forwarder, "b", inbox);
        var written = new DateTimeOffset(2026, 3, 1, 12, 30, 15, 250, TimeSpan.Zero);

        // Act
        var write = await forwarder.Log.WriteToLogAsync(
            new WriteToLogRequest
            {
                Namespace = ns,
                Payload = ByteString.CopyFromUtf8("order 42 shipped"),
                Headers = { ["x-tenant"] = "acme", ["x-source"] = "checkout" },
                OrderingKey = "order-42",
                Lifecycle = new Lifecycle { OriginalWriteTime = Timestamp.FromDateTimeOffset(written) },
            },
            cancellationToken: Ct);
        await WaitForStateAsync(forwarder, ns, write.MessageId, MessageState.Applied);
        var arrived = await Eventually.WaitAsync(
            () => Task.FromResult(_target.Received.FirstOrDefault(r => r.Headers.GetValueOrDefault("wal-namespace") == inbox)),
            Deadline,
            "the forwarded message at the remote's target");

        // Assert
        Assert.Equal("order 42 shipped", System.Text.Encoding.UTF8.GetString(arrived.Body));
        Assert.Equal("acme", arrived.Headers["x-tenant"]);
        Assert.Equal("checkout", arrived.Headers["x-source"]);
        Assert.Equal("2026-03-01T12:30:15.250Z", arrived.Headers["wal-original-write-time"]);
        var stored = Assert.Single(remote.StoredMessages(inbox));
        Assert.Equal((arrived.MessageId, "order-42"), stored);
    }

    [Fact]
    public async Task TheSameDeliveryTwiceIsEnqueuedOnceOnTheRemoteAndEachChunkOnce()
    {
        // Arrange
        var remote = StartRemote(RemoteWalServer.FreePort(), []);
        var inbox = await CreateRemoteNamespaceAsync(remote.Client());
        var forwarder = ForwarderFactory(("b", remote.Address, null));
        var handler = forwarder.Services.GetServices<ITargetHandler>().Single(h => h.Kind == Target.KindOneofCase.Wal);
        var target = new Target { Wal = new Api.V1.WalTarget { Endpoint = "b", Namespace = inbox } };
        var envelope = new Envelope(new EnvelopeMeta { MessageId = "01JTESTWALFORWARD000000001", Namespace = "src", OriginalWriteTimeMs = 1_700_000_000_000 }, "once"u8.ToArray());
        var delivery = new Delivery("src", envelope, 1);

        // Act: the first answer is lost, so the message is delivered again; then two chunks of a transaction, one twice.
        var outcomes = new List<DeliveryOutcome>
        {
            await handler.DeliverAsync(target, delivery, Ct),
            await handler.DeliverAsync(target, delivery with { Attempt = 2 }, Ct),
            await handler.DeliverAsync(target, delivery with { Chunk = new ChunkPosition("tx-1", 0, 2) }, Ct),
            await handler.DeliverAsync(target, delivery with { Chunk = new ChunkPosition("tx-1", 1, 2) }, Ct),
            await handler.DeliverAsync(target, delivery with { Chunk = new ChunkPosition("tx-1", 1, 2), Attempt = 2 }, Ct),
        };

        // Assert
        Assert.All(outcomes, o => Assert.Equal(DeliveryVerdict.Applied, o.Verdict));
        Assert.Equal(3, remote.StoredMessages(inbox).Select(m => m.Id).Distinct().Count());
    }

    [Fact]
    public async Task ARemoteRequiringAnApiKeyDeadLettersWithoutItAndAppliesWithIt()
    {
        // Arrange
        var remote = StartRemote(RemoteWalServer.FreePort(), [AuthServer.ApiKey("admin", AdminKey), AuthServer.ApiKey("forwarder", ForwarderKey), new("Wal:Auth:Admins:0", "admin")]);
        var inbox = await CreateRemoteNamespaceAsync(remote.Client(AdminKey));
        var forwarder = Forwarder(("keyless", remote.Address, null), ("keyed", remote.Address, ForwarderKey));
        var keyless = await CreateForwardingNamespaceAsync(forwarder, "keyless", inbox);
        var keyed = await CreateForwardingNamespaceAsync(forwarder, "keyed", inbox);

        // Act
        var refused = await WriteAsync(forwarder, keyless);
        var accepted = await WriteAsync(forwarder, keyed);

        // Assert
        var deadLetter = await WaitForStateAsync(forwarder, keyless, refused, MessageState.DeadLettered);
        Assert.Contains("wal remote 'keyless' answered UNAUTHENTICATED", deadLetter.LastError, StringComparison.Ordinal);
        await WaitForStateAsync(forwarder, keyed, accepted, MessageState.Applied);
        Assert.Single(remote.StoredMessages(inbox));
    }

    [Fact]
    public async Task ARemoteOverMutualTlsIsReachedWithItsCaAndAClientCertificate()
    {
        // Arrange
        using var certificates = new TestCertificates();
        var remote = StartRemote(
            RemoteWalServer.FreePort(),
            [new("Wal:Auth:ClientCertificates:Mode", "Require"), new("Wal:Auth:ClientCertificates:CaPath", certificates.CaPath), new("Wal:Auth:Admins:0", "ops")],
            certificates);
        var inbox = await CreateRemoteNamespaceAsync(remote.Client(certificate: certificates.Client("ops")));
        var (certificate, key) = WritePem(certificates.Client("forwarder"));
        var forwarder = Forwarder(
            ("secure", remote.Address, null),
            [
                new("Wal:Remotes:secure:CaCertificatePath", certificates.CaPath),
                new("Wal:Remotes:secure:ClientCertificatePath", certificate),
                new("Wal:Remotes:secure:ClientKeyPath", key),
            ]);
        var ns = await CreateForwardingNamespaceAsync(forwarder, "secure", inbox);

        // Act
        var id = await WriteAsync(forwarder, ns);

        // Assert
        await WaitForStateAsync(forwarder, ns, id, MessageState.Applied);
        Assert.Single(remote.StoredMessages(inbox));
    }

    [Fact]
    public async Task ARemoteThatIsDownIsRetriedAndAppliedOnceItIsBack()
    {
        // Arrange: the remote's namespace exists, then the remote stops.
        var port = RemoteWalServer.FreePort();
        var folder = Folder();
        var inbox = string.Empty;
        await using (var first = new RemoteWalServer(port, folder, []))
        {
            inbox = await CreateRemoteNamespaceAsync(first.Client());
        }

        var forwarder = Forwarder(("b", new Uri($"http://127.0.0.1:{port}"), null));
        var ns = await CreateForwardingNamespaceAsync(forwarder, "b", inbox);

        // Act
        var id = await WriteAsync(forwarder, ns);
        var retrying = await Eventually.WaitAsync(
            async () =>
            {
                var status = await forwarder.GetStatusAsync(ns, id, Ct);
                return status is { State: MessageState.RetryScheduled, Attempts: >= 2 } ? status : null;
            },
            Deadline,
            "the message to be retried while the remote is down");
        var remote = StartRemote(port, [], folder: folder);

        // Assert
        Assert.Contains("wal remote 'b' answered UNAVAILABLE", retrying.LastError, StringComparison.Ordinal);
        await WaitForStateAsync(forwarder, ns, id, MessageState.Applied);
        Assert.Single(remote.StoredMessages(inbox));
    }

    [Fact]
    public async Task AnEndpointThatIsNoRemoteOfTheServerIsInvalidArgumentNamingTheField()
    {
        var forwarder = Forwarder(("b", new Uri("http://127.0.0.1:1"), null));
        var config = Namespaces.Noop("fwd");
        config.Target = new Target { Wal = new Api.V1.WalTarget { Endpoint = "elsewhere", Namespace = "inbox" } };

        var error = await Assert.ThrowsAsync<RpcException>(() => forwarder.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(
            "config.target.wal.endpoint 'elsewhere' is not a remote of this server's configuration (Wal:Remotes:elsewhere:Address)",
            error.Status.Detail,
            StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyPathWithoutACertificatePathKeepsTheServerFromStartingNamingTheSetting()
    {
        var factory = ForwarderFactory([("b", new Uri("https://127.0.0.1:1"), null)], [new("Wal:Remotes:b:ClientKeyPath", "/nonexistent/forwarder.key")]);

        var refused = Record.Exception(() => factory.Server);

        var messages = string.Join(" | ", Chain(refused));
        Assert.Contains("Wal:Remotes:b:ClientKeyPath is set without Wal:Remotes:b:ClientCertificatePath", messages, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Chain(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e.Message;
        }
    }

    private RemoteWalServer StartRemote(int port, KeyValuePair<string, string?>[] settings, TestCertificates? certificates = null, string? folder = null)
    {
        var remote = new RemoteWalServer(port, folder ?? Folder(), settings, certificates);
        _servers.Add(remote);
        return remote;
    }

    private string Folder()
    {
        var folder = Directory.CreateTempSubdirectory("wal-remote-").FullName;
        _folders.Add(folder);
        return folder;
    }

    private WalServerFactory ForwarderFactory(params (string Name, Uri Address, string? ApiKey)[] remotes) => ForwarderFactory(remotes, []);

    private WalServerFactory ForwarderFactory((string Name, Uri Address, string? ApiKey)[] remotes, KeyValuePair<string, string?>[] extra)
    {
        var factory = new WalServerFactory();
        _servers.Add(factory);
        foreach (var (name, address, apiKey) in remotes)
        {
            factory.Settings[$"Wal:Remotes:{name}:Address"] = address.ToString();
            factory.Settings[$"Wal:Remotes:{name}:Deadline"] = "00:00:03";
            if (apiKey is not null)
            {
                factory.Settings[$"Wal:Remotes:{name}:ApiKey"] = apiKey;
            }
        }

        foreach (var (key, value) in extra)
        {
            factory.Settings[key] = value;
        }

        return factory;
    }

    private WalClient Forwarder(params (string Name, Uri Address, string? ApiKey)[] remotes) => ForwarderFactory(remotes, []).CreateWalClient();

    private WalClient Forwarder((string Name, Uri Address, string? ApiKey) remote, KeyValuePair<string, string?>[] extra) =>
        ForwarderFactory([remote], extra).CreateWalClient();

    /// <summary>A namespace on the remote whose target is the test's HTTP server.</summary>
    private async Task<string> CreateRemoteNamespaceAsync(WalClient remote)
    {
        var config = Namespaces.Http(_target.Url("/ok"), "inbox");
        await remote.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        return config.Name;
    }

    /// <summary>A namespace on the forwarder with a wal target, retried every 100-200 ms.</summary>
    private static async Task<string> CreateForwardingNamespaceAsync(WalClient forwarder, string endpoint, string inbox)
    {
        var config = Namespaces.Noop("fwd");
        config.Target = new Target { Wal = new Api.V1.WalTarget { Endpoint = endpoint, Namespace = inbox } };
        config.Retry = new RetryPolicy { MaxAttempts = 100, InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)), MaxBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200)) };
        await forwarder.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        return config.Name;
    }

    private static async Task<string> WriteAsync(WalClient forwarder, string ns)
    {
        var response = await forwarder.WriteAsync(ns, "hello"u8.ToArray(), cancellationToken: Ct);
        Assert.Equal(Trilean.True, response.Durable);
        return response.MessageId;
    }

    private static Task<MessageStatus> WaitForStateAsync(WalClient client, string ns, string id, MessageState state) =>
        Eventually.WaitAsync(
            async () =>
            {
                var status = await client.GetStatusAsync(ns, id, Ct);
                return status.State == state ? status : null;
            },
            Deadline,
            $"message {id} to reach {state}");

    private (string Certificate, string Key) WritePem(X509Certificate2 certificate)
    {
        var folder = Folder();
        var certificatePath = Path.Combine(folder, "client.pem");
        var keyPath = Path.Combine(folder, "client.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey() ?? throw new CryptographicException("the test certificate has no ECDSA key");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
