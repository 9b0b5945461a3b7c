using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Sqlite.ControlPlane;

namespace WalService.IntegrationTests;

/// <summary>The SQLite control plane on a real file whose storage fails under it.</summary>
public sealed class ControlPlaneCommitFailureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-cp-").FullName;

    public void Dispose()
    {
        SqliteFiles.CloseIdleConnections();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ACommitOnAFileThatIsNoLongerADatabaseAnswersUnavailableNamingTheCause()
    {
        var path = Path.Combine(_folder, "control.db");
        var store = new SqliteControlPlaneStore(path);
        SqliteFiles.CloseIdleConnections();
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            await file.WriteAsync(Enumerable.Repeat((byte)0xA5, 100).ToArray(), TestContext.Current.CancellationToken);
        }

        var error = await Assert.ThrowsAsync<ControlPlaneException>(() =>
            store.CreateAsync(new NamespaceConfig { Name = "orders" }, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken));

        Assert.Equal(ControlPlaneError.Unavailable, error.Error);
        Assert.Equal("the control plane could not commit: SQLite Error 26: 'file is not a database'.", error.Message);
    }
}
