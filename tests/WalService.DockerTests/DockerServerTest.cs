using WalService.TestSupport;

namespace WalService.DockerTests;

/// <summary>
/// A test against the in-process server on a backend in a container, with a real HTTP target. Where no Docker engine
/// answers, each test is skipped with what was probed.
/// </summary>
public abstract class DockerServerTest() : WalServerTest(Deadline)
{
    /// <summary>Generous: a consumer's first group join on a fresh broker takes seconds.</summary>
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>Why the lane cannot run here; null once the backend and server run.</summary>
    protected abstract string? SkipReason { get; }

    public override async ValueTask InitializeAsync()
    {
        if (SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        await base.InitializeAsync();
    }
}
