using WalService.Api.V1;
using WalService.Core.Abstractions;

namespace WalService.PostgresTests;

/// <summary>
/// What every <see cref="IControlPlaneStore"/> must do, run against each store: versions, optimistic concurrency,
/// paging in name order, states, deletion.
/// </summary>
public abstract class ControlPlaneStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    protected IControlPlaneStore Store { get; private set; } = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => Store = await CreateStoreAsync();

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    protected abstract Task<IControlPlaneStore> CreateStoreAsync();

    private static NamespaceConfig Config(string name, int maxPayload = 0) => new()
    {
        Name = name,
        Target = new Target { Noop = new NoopTarget() },
        MaxPayloadBytes = maxPayload,
    };

    [Fact]
    public async Task CreateStartsAtVersionOneActiveAndKeepsTheConfig()
    {
        var created = await Store.CreateAsync(Config("orders", 42), T0, Ct);
        var fetched = await Store.GetAsync("orders", Ct);

        Assert.Equal(1, created.Version);
        Assert.Equal(NamespaceState.Active, created.State);
        Assert.Equal(created, fetched);
        Assert.Equal(42, fetched!.Config.MaxPayloadBytes);
        Assert.Equal(T0, fetched.CreatedAt.ToDateTimeOffset());
        Assert.Equal(T0, fetched.UpdatedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task CreatingATakenNameFailsAndChangesNothing()
    {
        await Store.CreateAsync(Config("orders", 1), T0, Ct);

        var error = await Assert.ThrowsAsync<ControlPlaneException>(() => Store.CreateAsync(Config("orders", 2), T0, Ct));

        Assert.Equal(ControlPlaneError.AlreadyExists, error.Error);
        Assert.Equal(1, (await Store.GetAsync("orders", Ct))!.Config.MaxPayloadBytes);
    }

    [Fact]
    public async Task GetOfAnUnknownNameIsNull() => Assert.Null(await Store.GetAsync("missing", Ct));

    [Fact]
    public async Task UpdateNeedsTheCurrentVersionAndAddsOne()
    {
        await Store.CreateAsync(Config("orders"), T0, Ct);

        var updated = await Store.UpdateAsync(Config("orders", 7), 1, T0.AddMinutes(1), Ct);
        var stale = await Assert.ThrowsAsync<ControlPlaneException>(() => Store.UpdateAsync(Config("orders", 9), 1, T0.AddMinutes(2), Ct));
        var missing = await Assert.ThrowsAsync<ControlPlaneException>(() => Store.UpdateAsync(Config("nowhere"), 1, T0, Ct));

        Assert.Equal(2, updated.Version);
        Assert.Equal(T0.AddMinutes(1), updated.UpdatedAt.ToDateTimeOffset());
        Assert.Equal(T0, updated.CreatedAt.ToDateTimeOffset());
        Assert.Equal(ControlPlaneError.VersionMismatch, stale.Error);
        Assert.Contains("version 2", stale.Message, StringComparison.Ordinal);
        Assert.Equal(ControlPlaneError.NotFound, missing.Error);
        Assert.Equal(7, (await Store.GetAsync("orders", Ct))!.Config.MaxPayloadBytes);
    }

    [Fact]
    public async Task OfConcurrentUpdatesFromOneVersionExactlyOneWins()
    {
        await Store.CreateAsync(Config("orders"), T0, Ct);

        var attempts = Enumerable.Range(1, 8).Select(async i =>
        {
            try
            {
                await Store.UpdateAsync(Config("orders", i), 1, T0, Ct);
                return true;
            }
            catch (ControlPlaneException ex) when (ex.Error == ControlPlaneError.VersionMismatch)
            {
                return false;
            }
        });
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, won => won);
        Assert.Equal(2, (await Store.GetAsync("orders", Ct))!.Version);
    }

    [Fact]
    public async Task ListPagesInNameOrder()
    {
        string[] names = ["b.x", "a-1", "a_2", "c", "a.0"];
        foreach (var name in names)
        {
            await Store.CreateAsync(Config(name), T0, Ct);
        }

        var first = await Store.ListAsync(2, null, Ct);
        var second = await Store.ListAsync(2, first[^1].Config.Name, Ct);
        var third = await Store.ListAsync(2, second[^1].Config.Name, Ct);

        var listed = first.Concat(second).Concat(third).Select(n => n.Config.Name).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), listed);
        Assert.Single(third);
    }

    [Fact]
    public async Task StateChangesAddAVersionOnlyWhenTheStateChanges()
    {
        await Store.CreateAsync(Config("orders"), T0, Ct);

        var paused = await Store.SetStateAsync("orders", NamespaceState.Paused, T0, Ct);
        var again = await Store.SetStateAsync("orders", NamespaceState.Paused, T0, Ct);
        var missing = await Assert.ThrowsAsync<ControlPlaneException>(() => Store.SetStateAsync("nowhere", NamespaceState.Paused, T0, Ct));

        Assert.Equal((NamespaceState.Paused, 2L), (paused.State, paused.Version));
        Assert.Equal(2, again.Version);
        Assert.Equal(ControlPlaneError.NotFound, missing.Error);
    }

    [Fact]
    public async Task DeleteRemovesOnceAndSaysWhetherItDid()
    {
        await Store.CreateAsync(Config("orders"), T0, Ct);

        Assert.True(await Store.DeleteAsync("orders", Ct));
        Assert.False(await Store.DeleteAsync("orders", Ct));
        Assert.Null(await Store.GetAsync("orders", Ct));
        Assert.True(await Store.IsReadyAsync(Ct));
    }
}
