using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// Two real server processes on one PostgreSQL control plane, each with a data folder of its own, and an HTTP target.
/// <c>name</c> names the temporary folder and the database; a lane with a log backend starts it first and adds its
/// settings to each process.
/// </summary>
public abstract class TwoProcessTest(string name) : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory($"wal-{name}-").FullName;
    /// <summary>The control plane's server; a test may create more databases on it.</summary>
    protected PostgresServer Postgres { get; private set; } = null!;

    protected HttpTargetServer Target { get; private set; } = null!;

    protected ServerProcess First { get; private set; } = null!;

    protected ServerProcess Second { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        Postgres = await PostgresServer.StartAsync();
        Target = await HttpTargetServer.StartAsync();
        var connectionString = await Postgres.CreateDatabaseAsync(name);
        First = OnControlPlane("first", connectionString);
        Second = OnControlPlane("second", connectionString);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
        await Target.DisposeAsync();
        await Postgres.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Adds the settings of the lane's log backend to a process; none for the embedded log.</summary>
    protected virtual void Configure(ServerProcess server)
    {
    }

    private ServerProcess OnControlPlane(string process, string connectionString)
    {
        var server = new ServerProcess(Directory.CreateDirectory(Path.Combine(_folder, process)).FullName);
        server.Environment["Wal__ControlPlane__Provider"] = "postgres";
        server.Environment["ConnectionStrings__ControlPlane"] = connectionString;
        Configure(server);
        return server;
    }
}
