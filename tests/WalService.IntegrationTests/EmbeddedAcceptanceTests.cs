using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>The acceptance flow on the embedded log, and what only this lane checks: ordering under retries and a write's own target.</summary>
public sealed class EmbeddedAcceptanceTests(WalServerFactory factory) : BackendAcceptanceContract(ServerTest.Deadline), IClassFixture<WalServerFactory>
{
    protected override WalServerFactory Factory { get; } = factory;

    protected override NamespaceConfig Namespace(string url, int maxAttempts = 3)
    {
        var config = Namespaces.Http(url, maxAttempts: maxAttempts);
        config.AllowTargetOverride = true;
        return config;
    }

    [Fact]
    public async Task MessagesWithOneOrderingKeyArriveInWriteOrderEvenWhenTheFirstRetries()
    {
        var ns = await CreateAsync(Namespace(Target.Url("/fail/1"), maxAttempts: 5));
        var options = new WalWriteOptions { OrderingKey = "customer-1" };

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await WriteDurableAsync(ns.Name, $"m{i}", options));
        }

        foreach (var id in ids)
        {
            await Target.WaitForAppliedAsync(id, Deadline);
        }

        var appliedOrder = Target.Received.Where(r => r.AnsweredStatus == 200 && ids.Contains(r.MessageId)).Select(r => r.MessageId).ToList();
        Assert.Equal(ids, appliedOrder);
        var firstApplied = Target.Received.ToList().FindIndex(r => r.MessageId == ids[0] && r.AnsweredStatus == 200);
        var secondSeen = Target.Received.ToList().FindIndex(r => r.MessageId == ids[1]);
        Assert.True(secondSeen > firstApplied, "the second message was sent before the first was applied");
    }

    [Fact]
    public async Task TargetOverrideSendsToTheWritesOwnTarget()
    {
        var config = await CreateAsync(Namespace(Target.Url("/status/400")));
        var elsewhere = new Target { Http = new HttpTarget { Url = Target.Url("/ok") } };

        var id = await WriteDurableAsync(config.Name, "redirected", new WalWriteOptions { Target = elsewhere });
        var received = await Target.WaitForAppliedAsync(id, Deadline);

        Assert.Equal("/ok", received.Path);
    }
}
