using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using WalService.Api.V1;
using WalService.Core;
using WalService.Core.Abstractions;
using WalService.Core.Model;
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

    [Fact]
    public void ANamespaceWithoutAPayloadLimitTakesItsBackendsCeilingWhenSmallerThanTheDefault()
    {
        var registry = new NamespaceRegistry(new ListedStore(), Options.Create(new WalOptions()), [new BackendTraits(BackendKind.Sqs, 1000)]);

        var sqs = registry.Apply(Version(1, NamespaceState.Active, new NamespaceConfig { Name = "queued", Sqs = new SqsBackend() }));
        var embedded = registry.Apply(Version(1, NamespaceState.Active, new NamespaceConfig { Name = "local" }));
        var sqsWithItsOwn = registry.Apply(Version(1, NamespaceState.Active, new NamespaceConfig { Name = "own", Sqs = new SqsBackend(), MaxPayloadBytes = 500 }));

        Assert.Equal(1000, sqs.MaxPayloadBytes);
        Assert.Equal(NamespaceDefaults.MaxPayloadBytes, embedded.MaxPayloadBytes);
        Assert.Equal(500, sqsWithItsOwn.MaxPayloadBytes);
    }

    [Fact]
    public void ACeilingAboveTheDefaultLeavesTheDefault()
    {
        var registry = new NamespaceRegistry(new ListedStore(), Options.Create(new WalOptions()), [new BackendTraits(BackendKind.Kafka, 8 * 1024 * 1024)]);

        var kafka = registry.Apply(Version(1, NamespaceState.Active, new NamespaceConfig { Name = "topic", Kafka = new KafkaBackend() }));

        Assert.Equal(NamespaceDefaults.MaxPayloadBytes, kafka.MaxPayloadBytes);
    }

    private static NamespaceRegistry Registry(IControlPlaneStore store) => new(store, Options.Create(new WalOptions()), []);

    private static Namespace Version(long version, NamespaceState state, NamespaceConfig? config = null) => new()
    {
        Config = config ?? new NamespaceConfig { Name = "orders" },
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
