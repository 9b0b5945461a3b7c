using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Core.Model;

namespace WalService.UnitTests.Runtime;

/// <summary>The delivery timeout the catalog answers for a target, which sets how long a lease lasts.</summary>
public sealed class TargetCatalogTests
{
    [Fact]
    public void AnHttpTargetAnswersItsOwnTimeout()
    {
        var target = new Target { Http = new HttpTarget { Url = "http://127.0.0.1/x", Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(42)) } };

        Assert.Equal(TimeSpan.FromSeconds(42), TestTargets.Catalog.DeliveryTimeout(target));
    }

    [Fact]
    public void AnHttpTargetWithoutATimeoutAnswersTheHttpDefault()
    {
        var target = new Target { Http = new HttpTarget { Url = "http://127.0.0.1/x" } };

        Assert.Equal(NamespaceDefaults.HttpTimeout, TestTargets.Catalog.DeliveryTimeout(target));
    }

    [Fact]
    public void AKindWithoutATimeoutOfItsOwnOrNotOnThisServerAnswersTheDeliveryDefault()
    {
        Assert.Equal(NamespaceDefaults.DeliveryTimeout, TestTargets.Catalog.DeliveryTimeout(new Target { Noop = new NoopTarget() }));
        Assert.Equal(NamespaceDefaults.DeliveryTimeout, TestTargets.Catalog.DeliveryTimeout(new Target { Sqs = new SqsTarget() }));
    }
}
