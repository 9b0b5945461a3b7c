using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using WalService.Api.V1;
using WalService.Core;
using WalService.Core.Abstractions;
using WalService.Core.Runtime;

namespace WalService.UnitTests.Runtime;

public sealed class NamespaceRegistryTests
{
    private static readonly Timestamp Created = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARefreshThatReadAnOlderVersionLeavesTheAppliedOneInPlace()
    {
        var store = new ListedStore(Version(1, NamespaceState.Active));
        var registry = Registry(store);
        registry.Apply(Version(2, NamespaceState.Paused));

        await registry.RefreshAsync(Ct);

        var kept = Assert.Single(registry.All);
        Assert.Equal(2, kept.Version);
        Assert.Equal(NamespaceState.Paused, kept.State);
    }

    [Fact]
    public async Task ARefreshTakesALaterVersion()
    {
        var store = new ListedStore(Version(3, NamespaceState.Active));
        var registry = Registry(store);
        registry.Apply(Version(2, NamespaceState.Paused));

        await registry.RefreshAsync(Ct);

        Assert.Equal(3, Assert.Single(registry.All).Version);
    }

    [Fact]
    public async Task ANamespaceDeletedAndCreatedAgainIsTakenThoughItsVersionStartsOver()
    {
        var again = Version(1, NamespaceState.Active);
        again.CreatedAt = Timestamp.FromDateTimeOffset(Created.ToDateTimeOffset().AddDays(1));
        var store = new ListedStore(again);
        var registry = Registry(store);
        registry.Apply(Version(5, NamespaceState.Paused));

        await registry.RefreshAsync(Ct);

        var taken = Assert.Single(registry.All);
        Assert.Equal(1, taken.Version);
        Assert.Equal(again.CreatedAt, taken.Source.CreatedAt);
    }

    private static NamespaceRegistry Registry(IControlPlaneStore store) => new(store, Options.Create(new WalOptions()), []);

    private static Namespace Version(long version, NamespaceState state) => new()
    {
        Config = new NamespaceConfig { Name = "orders" },
        Version = version,
        State = state,
        CreatedAt = Created,
    };

    /// <summary>A control plane whose listing answers what the test put there; nothing else is asked of it.</summary>
    private sealed class ListedStore(params Namespace[] listed) : IControlPlaneStore
    {
        public Task<IReadOnlyList<Namespace>> ListAsync(int pageSize, string? afterName, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Namespace>>(afterName is null ? listed : []);

        public Task<Namespace?> GetAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Namespace> CreateAsync(NamespaceConfig config, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Namespace> UpdateAsync(NamespaceConfig config, long expectedVersion, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Namespace> SetStateAsync(string name, NamespaceState state, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> IsReadyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
