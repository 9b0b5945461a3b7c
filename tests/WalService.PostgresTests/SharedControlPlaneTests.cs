using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.PostgresTests;

/// <summary>Two server instances on one PostgreSQL control plane, each with a log of its own.</summary>
[Collection(PostgresGroup.Name)]
public class SharedControlPlaneTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private WalServerFactory _first = null!;
    private WalServerFactory _second = null!;
    private HttpTargetServer _target = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>How often each instance re-reads the control plane on its own.</summary>
    protected virtual string RefreshInterval => "00:00:01";

    public async ValueTask InitializeAsync()
    {
        var connectionString = await postgres.NewDatabaseAsync();
        _first = OnPostgres(connectionString, RefreshInterval);
        _second = OnPostgres(connectionString, RefreshInterval);
        _target = await HttpTargetServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _target.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task ANamespaceCreatedThroughOneInstanceIsServedByTheOther()
    {
        var config = new NamespaceConfig { Name = "shared-orders", Target = new Target { Http = new HttpTarget { Url = _target.Url("/ok") } } };

        await _first.CreateWalClient().Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        var written = await _second.CreateWalClient().WriteAsync(config.Name, "via the second"u8.ToArray(), cancellationToken: Ct);

        Assert.Equal(Trilean.True, written.Durable);
        await _target.WaitForAppliedAsync(written.MessageId, Deadline);
    }

    [Fact]
    public async Task AnUpdateThroughOneInstanceReachesTheOthersConsumersWithinTwoSeconds()
    {
        var config = new NamespaceConfig
        {
            Name = "shared-retarget",
            Target = new Target { Http = new HttpTarget { Url = _target.Url("/status/400") } },
            Retry = new RetryPolicy { MaxAttempts = 1 },
        };
        var first = _first.CreateWalClient();
        var second = _second.CreateWalClient();
        await first.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        var before = await second.WriteAsync(config.Name, "before"u8.ToArray(), cancellationToken: Ct);
        await Eventually.WaitAsync(() => _target.For(before.MessageId).Count > 0, Deadline, "the first message to reach the old target");

        var changed = config.Clone();
        changed.Target.Http.Url = _target.Url("/ok");
        await first.Admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = changed, ExpectedVersion = 1 }, cancellationToken: Ct);
        var changedAt = DateTimeOffset.UtcNow;
        var seen = await Eventually.WaitAsync(
            async () =>
            {
                var probe = await second.WriteAsync(config.Name, "probe"u8.ToArray(), cancellationToken: Ct);
                var delivered = await Eventually.WaitAsync(() => Task.FromResult(_target.For(probe.MessageId) is [var first, ..] ? first : null), Deadline, "the probe to be delivered");
                return delivered.Path == "/ok" ? delivered : null;
            },
            Deadline,
            "the second instance to deliver to the new target");

        Assert.InRange(seen.ReceivedAt - changedAt, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task ConcurrentUpdatesThroughTwoInstancesLetExactlyOneWin()
    {
        var config = new NamespaceConfig { Name = "shared-race", Target = new Target { Noop = new NoopTarget() } };
        await _first.CreateWalClient().Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);

        async Task<StatusCode> UpdateAsync(WalServerFactory instance, int maxPayload)
        {
            var update = config.Clone();
            update.MaxPayloadBytes = maxPayload;
            try
            {
                await instance.CreateWalClient().Admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = update, ExpectedVersion = 1 }, cancellationToken: Ct);
                return StatusCode.OK;
            }
            catch (RpcException ex)
            {
                return ex.StatusCode;
            }
        }

        var outcomes = await Task.WhenAll(UpdateAsync(_first, 100), UpdateAsync(_second, 200));

        Assert.Equal([StatusCode.OK, StatusCode.Aborted], outcomes.Order());
    }

    private static WalServerFactory OnPostgres(string connectionString, string refreshInterval)
    {
        var factory = new WalServerFactory();
        factory.Settings["Wal:ControlPlane:Provider"] = "postgres";
        factory.Settings["ConnectionStrings:ControlPlane"] = connectionString;
        factory.Settings["Wal:NamespaceRefreshInterval"] = refreshInterval;
        return factory;
    }
}

/// <summary>
/// The same behaviour with the periodic refresh set to ten minutes: a change can only arrive in time through
/// LISTEN/NOTIFY.
/// </summary>
[Collection(PostgresGroup.Name)]
public sealed class SharedControlPlaneByNotificationTests(PostgresFixture postgres) : SharedControlPlaneTests(postgres)
{
    protected override string RefreshInterval => "00:10:00";
}
