using WalService.Api.V1;
using WalService.Client;
using Xunit;

namespace WalService.TestSupport;

/// <summary>Replication on every backend: each region delivered on its own, with its own status, dead letter and order.</summary>
public abstract partial class BackendAcceptanceContract
{
    [Fact]
    public async Task EachRegionIsDeliveredOnItsOwnAndARegionThatKeepsFailingIsDeadLetteredAndRedrivenAlone()
    {
        var config = Namespace(Target.Url("/ok"), maxAttempts: 2);
        config.Target = TestNamespaces.Replicate(("near", Target.Url("/ok")), ("far", Target.Url("/switch")));
        Target.SwitchStatus = 503;
        var ns = await CreateConsumingAsync(config);

        var id = await WriteDurableAsync(ns.Name, "v1");
        var near = await Target.WaitForAppliedAsync(id, Deadline);
        var dead = await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);
        var listed = await DeadLettersAsync(ns.Name);
        Target.SwitchStatus = 200;
        var redriven = await Wal.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = ns.Name, Region = "far" }, cancellationToken: Ct);
        var applied = await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.Equal(("/ok", "near"), (near.Path, near.Headers["wal-region"]));
        Assert.Equal([("near", MessageState.Applied, 1), ("far", MessageState.DeadLettered, 2)], dead.Regions.Select(r => (r.Region, r.State, r.Attempts)));
        Assert.Contains("503", dead.LastError, StringComparison.Ordinal);
        var letter = Assert.Single(listed.DeadLetters);
        Assert.Equal((id, "far", "v1"), (letter.MessageId, letter.Region, letter.Payload.ToStringUtf8()));
        Assert.Equal(1, redriven.Redriven);
        Assert.All(applied.Regions, r => Assert.Equal(MessageState.Applied, r.State));
        var received = Target.For(id);
        Assert.Single(received, r => r.Path == "/ok");
        Assert.Equal([503, 503, 200], received.Where(r => r.Path == "/switch").Select(r => r.AnsweredStatus));
        Assert.All(received, r => Assert.Equal(r.Path == "/ok" ? "near" : "far", r.Headers["wal-region"]));
        Assert.Empty((await DeadLettersAfterRedriveAsync(ns.Name)).DeadLetters);
    }

    [Fact]
    public async Task AnOrderingKeyWaitingInARegionThatIsDownHoldsBackNoOtherRegion()
    {
        Assert.SkipUnless(KeepsWriteOrder, "this lane's namespaces refuse ordering keys");
        var config = Namespace(Target.Url("/ok"), maxAttempts: 50);
        config.Target = TestNamespaces.Replicate(("near", Target.Url("/ok")), ("far", Target.Url("/switch")));
        Target.SwitchStatus = 503;
        var ns = await CreateConsumingAsync(config);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await WriteDurableAsync(ns.Name, $"v{i}", new WalWriteOptions { OrderingKey = "k" }));
        }

        foreach (var id in ids)
        {
            await Target.WaitForAppliedAsync(id, Deadline);
        }

        var farWhileDown = Target.Received.Where(r => r.Path == "/switch" && ids.Contains(r.MessageId)).Select(r => r.MessageId).Distinct().ToList();
        Target.SwitchStatus = 200;
        foreach (var id in ids)
        {
            await WaitForStateAsync(ns.Name, id, MessageState.Applied);
        }

        Assert.Equal([ids[0]], farWhileDown);
        Assert.Equal(ids, Target.Received.Where(r => r.Path == "/ok" && ids.Contains(r.MessageId)).Select(r => r.MessageId));
        Assert.Equal(ids, Target.Received.Where(r => r.Path == "/switch" && r.AnsweredStatus == 200).Select(r => r.MessageId));
    }
}
