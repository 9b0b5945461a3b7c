using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// The write-ahead log a killed server leaves behind, read by the next start of the real process: recovered and said
/// so when intact, refused with the file and the setting named when its header is torn.
/// </summary>
public sealed class TornWriteAheadLogTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-torn-").FullName;
    private ServerProcess _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string WalFile => Path.Combine(_folder, "data", "wal.db-wal");

    public ValueTask InitializeAsync()
    {
        _server = new ServerProcess(_folder);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AfterKillNineTheNextStartSaysHowManyCommitsItRecoversFromTheLeftWriteAheadLog()
    {
        await WriteThenKillAsync();

        await _server.StartAsync();

        Assert.True(_server.Logged("wal.db-wal", "was left by a process that did not close the database", "SQLite recovers"), _server.LogTail);
    }

    [Fact]
    public async Task ATornWriteAheadLogHeaderAfterKillNineStopsTheStartNamingTheFileAndTheSetting()
    {
        await WriteThenKillAsync();
        TearHeader(WalFile);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(_server.StartAsync);

        Assert.NotEqual(0, _server.ExitCode);
        Assert.Contains("its write-ahead log wal.db-wal holds", error.Message, StringComparison.Ordinal);
        Assert.Contains("Wal:Storage:StartOnDamage=true", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Zeroes the header's checksum, as a torn write of the header leaves it.</summary>
    private static void TearHeader(string walFile)
    {
        using var file = new FileStream(walFile, FileMode.Open, FileAccess.Write);
        file.Position = 24;
        file.Write(new byte[8]);
    }

    private async Task WriteThenKillAsync()
    {
        await _server.StartAsync();
        var wal = _server.CreateClient();
        var ns = new NamespaceConfig { Name = "torn", Target = new Target { Noop = new NoopTarget() } };
        await wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = ns }, cancellationToken: Ct);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(Trilean.True, (await wal.WriteAsync(ns.Name, "kept"u8.ToArray(), cancellationToken: Ct)).Durable);
        }

        await _server.KillAsync();
        Assert.True(new FileInfo(WalFile).Length > 0, "the killed server left its write-ahead log");
    }
}
