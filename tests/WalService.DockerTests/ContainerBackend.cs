using WalService.TestSupport;

namespace WalService.DockerTests;

/// <summary>
/// For the whole lane: a backend in a container, and the in-process server configured for it. Where no Docker engine
/// answers, nothing starts and <see cref="SkipReason"/> says what was probed.
/// </summary>
public abstract class ContainerBackend(string name) : IAsyncLifetime
{
    private WalServerFactory? _factory;

    /// <summary>Why the lane cannot run here; null once the container and the server run.</summary>
    public string? SkipReason { get; private set; }

    public WalServerFactory Factory => Running(_factory);

    public async ValueTask InitializeAsync()
    {
        var (answers, probed) = await DockerEngine.ProbeAsync();
        if (!answers)
        {
            SkipReason = $"no Docker engine answers here ({probed})";
            return;
        }

        await StartContainerAsync(TestContext.Current.CancellationToken);
        _factory = new WalServerFactory();
        foreach (var (key, value) in ServerSettings())
        {
            _factory.Settings[key] = value;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        await StopContainerAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts the container; called only where a Docker engine answers.</summary>
    protected abstract Task StartContainerAsync(CancellationToken cancellationToken);

    /// <summary>The server's settings that point it at the started container.</summary>
    protected abstract IEnumerable<KeyValuePair<string, string?>> ServerSettings();

    /// <summary>Stops whatever <see cref="StartContainerAsync"/> started, if anything.</summary>
    protected abstract ValueTask StopContainerAsync();

    /// <summary>A part of the running backend; throws with the reason where it did not start.</summary>
    protected T Running<T>(T? part)
        where T : class =>
        part ?? throw new InvalidOperationException(SkipReason ?? $"{name} has not started");
}
