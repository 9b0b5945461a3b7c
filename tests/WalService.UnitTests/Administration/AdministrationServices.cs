using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WalService.Core.Abstractions;
using WalService.Core.Administration;
using WalService.Core.DependencyInjection;
using WalService.Core.FrontDoor;
using WalService.Core.Runtime;
using WalService.Core.Validation;

namespace WalService.UnitTests.Administration;

/// <summary>
/// Core as <c>AddWalCore</c> registers it, over an in-memory control plane, the real target handlers, a fake clock
/// and the backends a test gives (none: the server provides no backend). The consumer host is registered but not started.
/// </summary>
internal sealed class AdministrationServices : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    public AdministrationServices(params ILogBackend[] backends)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IControlPlaneStore>(Store);
        services.AddSingleton<TargetCatalog>(TestTargets.Catalog);
        foreach (var backend in backends)
        {
            services.AddSingleton(backend);
        }

        services.AddWalCore();
        _provider = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));

    public InMemoryControlPlane Store { get; } = new();

    public NamespaceAdministrator Administrator => _provider.GetRequiredService<NamespaceAdministrator>();

    public MessageStatusReader Statuses => _provider.GetRequiredService<MessageStatusReader>();

    public WriteCoordinator Writes => _provider.GetRequiredService<WriteCoordinator>();

    public NamespaceRegistry Registry => _provider.GetRequiredService<NamespaceRegistry>();

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
