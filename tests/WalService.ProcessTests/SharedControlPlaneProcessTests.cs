using System.Text;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>Two real server processes on one PostgreSQL control plane, each with its own embedded log.</summary>
public sealed class SharedControlPlaneProcessTests() : TwoProcessTest("shared")
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ANamespaceCreatedThroughOneProcessIsServedAndRetargetedThroughTheOther()
    {
        Step("1. start two server processes on one PostgreSQL database (they migrate it together)");
        await Task.WhenAll(First.StartAsync(), Second.StartAsync());
        var first = First.CreateClient();
        var second = Second.CreateClient();

        Step("2. create a namespace through the first; write to it through the second");
        var config = new NamespaceConfig
        {
            Name = "shared",
            Target = new Target { Http = new HttpTarget { Url = Target.Url("/old") } },
        };
        await first.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        var written = await second.WriteAsync(config.Name, Encoding.UTF8.GetBytes("via the second"), cancellationToken: Ct);
        Assert.Equal("/old", (await Target.WaitForAppliedAsync(written.MessageId, Deadline)).Path);

        Step("3. retarget it through the first; the second's consumers follow within 2 seconds");
        var changed = config.Clone();
        changed.Target.Http.Url = Target.Url("/new");
        await first.Admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = changed, ExpectedVersion = 1 }, cancellationToken: Ct);
        var changedAt = DateTimeOffset.UtcNow;
        var probe = await Eventually.WaitAsync(
            async () =>
            {
                var id = (await second.WriteAsync(config.Name, Encoding.UTF8.GetBytes("probe"), cancellationToken: Ct)).MessageId;
                var received = await Target.WaitForAppliedAsync(id, Deadline);
                return received.Path == "/new" ? received : null;
            },
            Deadline,
            "the second process to deliver to the new target");
        Assert.InRange(probe.ReceivedAt - changedAt, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    private static void Step(string text) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {text}");
}
