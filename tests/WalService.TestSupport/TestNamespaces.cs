using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;

namespace WalService.TestSupport;

/// <summary>The parts of a namespace config the test lanes share: an HTTP target, a replicate target and fast retries.</summary>
public static class TestNamespaces
{
    /// <summary>A namespace delivering to <paramref name="url"/> (5 s timeout) with fast retries; the caller adds its backend.</summary>
    public static NamespaceConfig Http(string name, string url, int maxAttempts) => new()
    {
        Name = name,
        Target = new Target { Http = new HttpTarget { Url = url, Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } },
        Retry = FastRetries(maxAttempts),
    };

    /// <summary>Up to <paramref name="maxAttempts"/> attempts, 50 ms apart at first and at most 200 ms apart.</summary>
    public static RetryPolicy FastRetries(int maxAttempts) => new()
    {
        MaxAttempts = maxAttempts,
        InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(50)),
        MaxBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200)),
    };

    /// <summary>A replicate target with an http target (5 s timeout) per region.</summary>
    public static Target Replicate(params (string Region, string Url)[] regions)
    {
        var replicate = new ReplicateTarget();
        replicate.Regions.Add(regions.Select(r => new RegionTarget
        {
            Region = r.Region,
            Target = new Target { Http = new HttpTarget { Url = r.Url, Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } },
        }));
        return new Target { Replicate = replicate };
    }
}
