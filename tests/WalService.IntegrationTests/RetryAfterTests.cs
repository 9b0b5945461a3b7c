using Google.Protobuf.WellKnownTypes;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>An http target's <c>Retry-After</c> on a 429 or 503 holds the next attempt back, up to the namespace's max_backoff.</summary>
public sealed class RetryAfterTests(WalServerFactory factory) : ServerTest(factory)
{
    [Fact]
    public async Task A503WithRetryAfterIsTriedAgainNoSoonerThanItSays()
    {
        var config = Namespaces.Http(Target.Url("/retry-after/1"));
        config.Retry.MaxBackoff = Duration.FromTimeSpan(TimeSpan.FromSeconds(5));
        await CreateAsync(config);

        var id = await WriteDurableAsync(config.Name, "held");
        var second = await Target.WaitForAppliedAsync(id, TimeSpan.FromSeconds(15));
        var first = Target.For(id)[0];

        Assert.Equal((503, 2), (first.AnsweredStatus, second.Attempt));
        Assert.InRange(second.ReceivedAt - first.ReceivedAt, TimeSpan.FromSeconds(0.99), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task ARetryAfterLongerThanMaxBackoffWaitsMaxBackoffOnly()
    {
        var config = Namespaces.Http(Target.Url("/retry-after/3600"));
        config.Retry.MaxBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(500));
        await CreateAsync(config);

        var id = await WriteDurableAsync(config.Name, "capped");
        var second = await Target.WaitForAppliedAsync(id, TimeSpan.FromSeconds(15));
        var first = Target.For(id)[0];

        Assert.InRange(second.ReceivedAt - first.ReceivedAt, TimeSpan.FromSeconds(0.49), TimeSpan.FromSeconds(4));
    }
}
