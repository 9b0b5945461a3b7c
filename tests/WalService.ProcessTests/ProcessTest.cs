using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// One server process with an HTTP target on loopback and a data folder of its own, so it can be killed and started
/// again on the same data; the server's log tail is written out when a test fails. A lane with a log backend adds it.
/// </summary>
public abstract class ProcessTest : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-process-").FullName;

    protected HttpTargetServer Target { get; private set; } = null!;

    protected ServerProcess Server { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        Target = await HttpTargetServer.StartAsync();
        Server = new ServerProcess(_folder);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Target.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs <paramref name="test"/>, writing the server's log tail to the test output when it fails.</summary>
    protected async Task WithLogTailOnFailureAsync(Func<Task> test)
    {
        ArgumentNullException.ThrowIfNull(test);
        try
        {
            await test();
        }
        catch
        {
            TestContext.Current.TestOutputHelper?.WriteLine("server log tail:" + Environment.NewLine + Server.LogTail);
            throw;
        }
    }

    protected static void Step(string text) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {text}");
}
