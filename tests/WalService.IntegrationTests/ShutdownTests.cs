using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WalService.Api.V1;
using WalService.Core.Runtime;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>Stopping the consumers of a server of its own, with a delivery under way.</summary>
public sealed class ShutdownTests(WalServerFactory factory) : ServerTest(factory)
{
    [Fact]
    public async Task AStopAskedForTwiceEndsEachTimeOnlyAfterTheDeliveryUnderWayWasApplied()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/slow/1000")));
        var id = await WriteDurableAsync(ns.Name, "under way");
        await Eventually.WaitAsync(() => Target.For(id).Count > 0, Deadline, "the delivery to start");
        var consumers = Factory.Services.GetServices<IHostedService>().OfType<ConsumerHost>().Single();

        // As a test host does when disposed: its own stop, then the program's run ending stops the host again.
        var first = consumers.StopAsync(CancellationToken.None);
        await consumers.StopAsync(CancellationToken.None);
        var afterSecond = await Wal.GetStatusAsync(ns.Name, id, Ct);
        await first;

        Assert.Equal(MessageState.Applied, afterSecond.State);
    }
}
