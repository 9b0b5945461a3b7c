using System.Net;
using Grpc.Core;
using WalService.Api.V1;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.PostgresTests;

/// <summary>PostgreSQL stopped under a running server: loaded namespaces keep working, admin says UNAVAILABLE, all recovers.</summary>
public sealed class ControlPlaneOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private PostgresServer _postgres = null!;
    private WalServerFactory _server = null!;
    private HttpTargetServer _target = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _server = new WalServerFactory();
        _server.Settings["Wal:ControlPlane:Provider"] = "postgres";
        _server.Settings["ConnectionStrings:ControlPlane"] = await _postgres.CreateDatabaseAsync("outage");
        _target = await HttpTargetServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _target.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task WritesGoOnWhileTheControlPlaneIsDownAndAdminRecoversUnaided()
    {
        var wal = _server.CreateWalClient();
        var config = new NamespaceConfig { Name = "outage", Target = new Target { Http = new HttpTarget { Url = _target.Url("/ok") } } };
        await wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        using var ops = _server.CreateClient();

        await _postgres.HaltAsync();
        var during = await wal.WriteAsync(config.Name, "during the outage"u8.ToArray(), cancellationToken: Ct);
        await _target.WaitForAppliedAsync(during.MessageId, Deadline);
        var admin = await Assert.ThrowsAsync<RpcException>(() => wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = config.Name }, cancellationToken: Ct).ResponseAsync);
        var notReady = await ops.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);

        Assert.Equal(Trilean.True, during.Durable);
        Assert.Equal(StatusCode.Unavailable, admin.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("control plane", await notReady.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        await _postgres.ResumeAsync();
        await Eventually.WaitAsync(
            async () => (await ops.GetAsync(new Uri("/readyz", UriKind.Relative), Ct)).IsSuccessStatusCode,
            Deadline,
            "/readyz to recover");
        var again = await wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = config.Name }, cancellationToken: Ct);
        Assert.Equal(1, again.Version);
    }

    [Fact]
    public async Task NoAcknowledgedWriteIsLostWhenTheControlPlaneStopsAndReturnsUnderLoad()
    {
        var wal = _server.CreateWalClient();
        var config = new NamespaceConfig { Name = "outage-load", Target = new Target { Http = new HttpTarget { Url = _target.Url("/ok") } } };
        await wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        async Task WriteAsync(int writer)
        {
            for (var i = 0; i < 5_000 && !stop.IsCancellationRequested; i++)
            {
                var response = await wal.WriteAsync(config.Name, System.Text.Encoding.UTF8.GetBytes($"w{writer}-{i}"), cancellationToken: Ct);
                if (response.Durable == Trilean.True)
                {
                    acknowledged.Add(response.MessageId);
                }
            }
        }

        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(() => WriteAsync(w), Ct)).ToList();
        await Eventually.WaitAsync(() => acknowledged.Count >= 200, Deadline, "writes before the outage");
        await _postgres.HaltAsync();
        var atHalt = acknowledged.Count;
        await Eventually.WaitAsync(() => acknowledged.Count >= atHalt + 500, Deadline, "writes during the outage");
        await _postgres.ResumeAsync();
        await Eventually.WaitAsync(
            async () => (await wal.Admin.ListNamespacesAsync(new ListNamespacesRequest(), cancellationToken: Ct)).Namespaces.Count == 1,
            Deadline,
            "the control plane to answer again");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        await Eventually.WaitAsync(() => acknowledged.All(id => _target.For(id).Count > 0), TimeSpan.FromSeconds(60), "every acknowledged write to be delivered");
        Assert.True(acknowledged.Count > atHalt, "writes went on during the outage");
    }
}
