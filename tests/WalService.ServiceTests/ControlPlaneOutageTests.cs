using System.Net;
using Grpc.Core;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.ServiceTests;

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
}
