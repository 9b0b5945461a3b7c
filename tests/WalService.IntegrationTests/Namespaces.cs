using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>Namespace configs for tests: unique names, fast retries.</summary>
internal static class Namespaces
{
    private static int _counter;

    public static string UniqueName(string prefix) =>
        $"{prefix}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..6]}";

    public static NamespaceConfig Http(string url, string prefix = "ns", int maxAttempts = 3) => TestNamespaces.Http(UniqueName(prefix), url, maxAttempts);

    public static NamespaceConfig Noop(string prefix = "noop") => new()
    {
        Name = UniqueName(prefix),
        Target = new Target { Noop = new NoopTarget() },
    };
}
