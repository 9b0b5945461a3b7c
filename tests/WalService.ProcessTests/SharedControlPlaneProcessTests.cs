using System.Text;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>Two real server processes on one PostgreSQL control plane, each with its own embedded log.</summary>
public sealed class SharedControlPlaneProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-shared-").FullName;
    private PostgresServer _postgres = null!;
    private HttpTargetServer _target = null!;
    private ServerProcess _first = null!;
    private ServerProcess _second = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _target = await HttpTargetServer.StartAsync();
        var connectionString = await _postgres.CreateDatabaseAsync("shared");
        _first = OnPostgres("first", connectionString);
        _second = OnPostgres("second", connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _target.DisposeAsync();
        await _postgres.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ANamespaceCreatedThroughOneProcessIsServedAndRetargetedThroughTheOther()
    {
        Step("1. start two server processes on one PostgreSQL database (they migrate it together)");
        await Task.WhenAll(_first.StartAsync(), _second.StartAsync());
        var first = _first.CreateClient();
        var second = _second.CreateClient();

        Step("2. create a namespace through the first; write to it through the second");
        var config = new NamespaceConfig
        {
            Name = "shared",
            Target = new Target { Http = new HttpTarget { Url = _target.Url("/old") } },
        };
        await first.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        var written = await second.WriteAsync(config.Name, Encoding.UTF8.GetBytes("via the second"), cancellationToken: Ct);
        Assert.Equal("/old", (await _target.WaitForAppliedAsync(written.MessageId, Deadline)).Path);

        Step("3. retarget it through the first; the second's consumers follow within 2 seconds");
        var changed = config.Clone();
        changed.Target.Http.Url = _target.Url("/new");
        await first.Admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = changed, ExpectedVersion = 1 }, cancellationToken: Ct);
        var changedAt = DateTimeOffset.UtcNow;
        var probe = await Eventually.WaitAsync(
            async () =>
            {
                var id = (await second.WriteAsync(config.Name, Encoding.UTF8.GetBytes("probe"), cancellationToken: Ct)).MessageId;
                var received = await _target.WaitForAppliedAsync(id, Deadline);
                return received.Path == "/new" ? received : null;
            },
            Deadline,
            "the second process to deliver to the new target");
        Assert.InRange(probe.ReceivedAt - changedAt, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    private static void Step(string text) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {text}");

    private ServerProcess OnPostgres(string name, string connectionString)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
        var server = new ServerProcess(folder);
        server.Environment["Wal__ControlPlane__Provider"] = "postgres";
        server.Environment["ConnectionStrings__ControlPlane"] = connectionString;
        return server;
    }
}
