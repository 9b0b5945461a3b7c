using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>A test against the in-process server, with a real HTTP target server of its own.</summary>
public abstract class ServerTest(WalServerFactory factory) : WalServerTest(Deadline), IClassFixture<WalServerFactory>
{
    internal static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    protected override WalServerFactory Factory { get; } = factory;
}
