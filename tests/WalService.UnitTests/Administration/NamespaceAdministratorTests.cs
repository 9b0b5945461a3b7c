using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Administration;

namespace WalService.UnitTests.Administration;

public sealed class NamespaceAdministratorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreatingANamespaceOnABackendTheServerLacksIsRefusedAndRegistersNothing()
    {
        await using var core = new AdministrationServices();
        var config = Config("orders");
        config.Kafka = new KafkaBackend();

        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Administrator.CreateAsync(config, Ct));

        Assert.Equal(StatusCode.Unimplemented, refused.Code);
        Assert.Equal("config.kafka: this backend is not available on this server yet; use embedded", refused.Message);
        Assert.Empty(core.Store.Names);
    }

    [Fact]
    public async Task AnInvalidConfigIsRefusedBeforeTheBackendIsAsked()
    {
        var (backend, script) = ScriptedBackend.Create();
        await using var core = new AdministrationServices(backend);
        var config = Config("Orders!");

        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Administrator.CreateAsync(config, Ct));

        Assert.Equal(StatusCode.InvalidArgument, refused.Code);
        Assert.StartsWith("invalid namespace config: config.name", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PrepareAsync", script.Calls);
    }

    [Fact]
    public async Task UpdatingWithoutAnExpectedVersionIsRefusedNamingTheField()
    {
        await using var core = new AdministrationServices();

        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Administrator.UpdateAsync(Config("orders"), 0, Ct));

        Assert.Equal(StatusCode.InvalidArgument, refused.Code);
        Assert.StartsWith("expected_version is required", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletingANamespaceWithUndeliveredMessagesIsRefusedUnlessForced()
    {
        var (backend, script) = ScriptedBackend.Create(
            ("CountUndeliveredAsync", _ => Task.FromResult(3L)),
            ("DropNamespaceAsync", _ => Task.CompletedTask));
        await using var core = new AdministrationServices(backend);
        await core.Store.CreateAsync(Config("orders"), core.Time.GetUtcNow(), Ct);

        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Administrator.DeleteAsync("orders", force: false, Ct));
        var keptAfterRefusal = core.Store.Names.ToList();
        await core.Administrator.DeleteAsync("orders", force: true, Ct);

        Assert.Equal(StatusCode.FailedPrecondition, refused.Code);
        Assert.Equal("namespace 'orders' has 3 messages not yet delivered; wait, or delete with force", refused.Message);
        Assert.Equal(["orders"], keptAfterRefusal);
        Assert.Empty(core.Store.Names);
        Assert.Contains("DropNamespaceAsync", script.Calls);
        Assert.Null(await core.Registry.GetAsync("orders", Ct));
    }

    [Fact]
    public async Task ANamespaceOnABackendTheServerLacksCanStillBeDeleted()
    {
        await using var core = new AdministrationServices();
        var config = Config("orders");
        config.Sqs = new SqsBackend();
        await core.Store.CreateAsync(config, core.Time.GetUtcNow(), Ct);

        await core.Administrator.DeleteAsync("orders", force: false, Ct);

        Assert.Empty(core.Store.Names);
    }

    [Fact]
    public async Task ListingWalksTheNamespacesInNameOrderAndTheLastPageCarriesNoToken()
    {
        await using var core = new AdministrationServices();
        foreach (var name in new[] { "gamma", "alpha", "beta" })
        {
            await core.Store.CreateAsync(Config(name), core.Time.GetUtcNow(), Ct);
        }

        var first = await core.Administrator.ListAsync(2, string.Empty, Ct);
        var last = await core.Administrator.ListAsync(2, first.NextPageToken, Ct);

        Assert.Equal(["alpha", "beta"], first.Items.Select(n => n.Config.Name));
        Assert.NotEmpty(first.NextPageToken);
        Assert.Equal(["gamma"], last.Items.Select(n => n.Config.Name));
        Assert.Empty(last.NextPageToken);
    }

    [Fact]
    public async Task APageTokenTheServerDidNotIssueIsRefusedNamingTheField()
    {
        await using var core = new AdministrationServices();

        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Administrator.ListAsync(0, "not a token!", Ct));

        Assert.Equal(StatusCode.InvalidArgument, refused.Code);
        Assert.Equal("page_token is not a token this server issued", refused.Message);
    }

    [Fact]
    public async Task ANegativeRedriveRateIsRefusedBeforeTheMissingBackendIsNoticed()
    {
        await using var core = new AdministrationServices();
        var config = Config("orders");
        config.Kafka = new KafkaBackend();
        await core.Store.CreateAsync(config, core.Time.GetUtcNow(), Ct);

        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Administrator.RedriveDeadLettersAsync("orders", [], -1, string.Empty, Ct));

        Assert.Equal(StatusCode.InvalidArgument, refused.Code);
        Assert.Equal("max_per_second must not be negative (0 = no limit)", refused.Message);
    }

    [Fact]
    public async Task APauseAnswersAfterItsSettleLimitWhenTheConsumersNeverCatchUp()
    {
        await using var core = new AdministrationServices();
        await core.Store.CreateAsync(Config("orders"), core.Time.GetUtcNow(), Ct);

        var pausing = core.Administrator.PauseAsync("orders", Ct);
        core.Time.Advance(TimeSpan.FromSeconds(29));
        var answeredEarly = pausing.IsCompleted;
        core.Time.Advance(TimeSpan.FromSeconds(1));
        var paused = await pausing;

        Assert.False(answeredEarly);
        Assert.Equal(NamespaceState.Paused, paused.State);
        Assert.Equal(NamespaceState.Paused, (await core.Store.GetAsync("orders", Ct))!.State);
    }

    private static NamespaceConfig Config(string name) => new()
    {
        Name = name,
        Target = new Target { Noop = new NoopTarget() },
    };
}
