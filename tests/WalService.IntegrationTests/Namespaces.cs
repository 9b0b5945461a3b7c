using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;

namespace WalService.IntegrationTests;

/// <summary>Namespace configs for tests: unique names, fast retries.</summary>
internal static class Namespaces
{
    private static int _counter;

    public static string UniqueName(string prefix) =>
        $"{prefix}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..6]}";

    public static NamespaceConfig Http(string url, string prefix = "ns", int maxAttempts = 3) => new()
    {
        Name = UniqueName(prefix),
        Target = new Target { Http = new HttpTarget { Url = url, Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } },
        Retry = new RetryPolicy
        {
            MaxAttempts = maxAttempts,
            InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(50)),
            MaxBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200)),
        },
    };

    public static NamespaceConfig Noop(string prefix = "noop") => new()
    {
        Name = UniqueName(prefix),
        Target = new Target { Noop = new NoopTarget() },
    };
}
