using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace WalService.LocalBackends;

/// <summary>
/// A real PostgreSQL server (Debian's <c>postgresql</c> package) in a temporary folder, on 127.0.0.1 and a free port,
/// with <c>fsync=off</c> (these tests do not test PostgreSQL's own durability). As root, it runs as the
/// <c>postgres</c> user, since initdb refuses root. <c>scripts/prepare.sh</c> installs the package.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string _bin;

    private PostgresServer(string folder, string bin, int port)
    {
        _folder = folder;
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    private string DataFolder => Path.Combine(_folder, "data");

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderDescending().FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed: install the Debian package 'postgresql' (scripts/prepare.sh does)");
        }

        var folder = Directory.CreateTempSubdirectory("wal-pg-").FullName;
        var server = new PostgresServer(folder, bin, FreePort());
        Directory.CreateDirectory(server.DataFolder);
        if (IsRoot)
        {
            await RunAsync("chown", "-R", "postgres:postgres", folder);
        }

        await server.AsOwnerAsync("initdb", "-D", server.DataFolder, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        await server.ResumeAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same data and port; returns once it accepts connections.</summary>
    public Task ResumeAsync() => AsOwnerAsync(
        "pg_ctl", "-D", DataFolder, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60",
        "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {_folder} -c fsync=off -c max_connections=200", "start");

    /// <summary>Stops the server at once, as a crash would, keeping its data for <see cref="ResumeAsync"/>.</summary>
    public Task HaltAsync() => AsOwnerAsync("pg_ctl", "-D", DataFolder, "-m", "immediate", "-w", "stop");

    /// <summary>
    /// The pid of the running postmaster (first line of <c>postmaster.pid</c>), whose children are the server's
    /// other processes; null while the server is stopped.
    /// </summary>
    public int? PostmasterPid()
    {
        var file = Path.Combine(DataFolder, "postmaster.pid");
        try
        {
            return File.Exists(file) && int.TryParse(File.ReadLines(file).FirstOrDefault(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Creates an empty database and answers a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await AsOwnerAsync("psql", "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-c", $"CREATE DATABASE \"{name}\"");
        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Timeout=5;Command Timeout=30";

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
        {
            await HaltAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task AsOwnerAsync(string tool, params string[] args)
    {
        var path = Path.Combine(_bin, tool);
        return IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", path, .. args]) : RunAsync(path, args);
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}{await output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
