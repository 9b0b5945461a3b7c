using Microsoft.Extensions.DependencyInjection;

namespace WalService.Core.DependencyInjection;

/// <summary>Returned by <c>AddWalCore</c>; providers (backends, stores, targets) add themselves through it.</summary>
public interface IWalBuilder
{
    IServiceCollection Services { get; }
}

internal sealed class WalBuilder(IServiceCollection services) : IWalBuilder
{
    public IServiceCollection Services { get; } = services;
}
