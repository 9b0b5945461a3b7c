using System.Net;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>
/// Storage faults on real SQLite files: a damaged page, a damaged envelope, a torn write-ahead-log header, a full disk.
/// Each test starts the servers it needs on data folders of its own.
/// </summary>
/// <remarks>Runs alone: it reads this server's instruments from /metrics (meters are process-wide) and closes pooled connections.</remarks>
[Collection(nameof(StorageFaultTests))]
public sealed class StorageFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly List<WalServerFactory> _servers = [];
    private readonly List<string> _folders = [];
    private HttpTargetServer _target = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _target = await HttpTargetServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        await _target.DisposeAsync();
        SqliteFiles.CloseIdleConnections();
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AServerOnALogWithADamagedPageRefusesToStartNamingTheFileAndTheSetting()
    {
        var (copy, _, _) = await CopyOfALogWithADamagedPageAsync();

        var error = Assert.ThrowsAny<Exception>(() => Server(copy).Server);

        var message = Flatten(error);
        Assert.Contains(Path.Combine(copy, "wal.db") + " is damaged: quick_check:", message, StringComparison.Ordinal);
        Assert.Contains("Wal:Storage:StartOnDamage=true", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithStartOnDamageTheServerReportsTheDamagedLogAndDeliversTheRestOfTheNamespace()
    {
        var (copy, ns, written) = await CopyOfALogWithADamagedPageAsync();
        var rowsOnPage = written.RowsOnDamagedPage;
        var server = Server(copy, ("Wal:Storage:StartOnDamage", "true"));
        using var http = server.CreateClient();
        var wal = server.CreateWalClient();

        await wal.Admin.ResumeNamespaceAsync(new ResumeNamespaceRequest { Name = ns }, cancellationToken: Ct);

        await Eventually.WaitAsync(() => Delivered(written.Ids) == written.Ids.Count - rowsOnPage, Deadline, $"the {written.Ids.Count - rowsOnPage} readable messages to be delivered");
        var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        var readiness = await ready.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("storage wal.db damaged: quick_check:", readiness, StringComparison.Ordinal);
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);
        Assert.Contains("file=\"wal.db\",kind=\"damaged\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains($"wal_storage_quarantined_total{{otel_scope_name=\"WalService\",namespace=\"{ns}\"}} {rowsOnPage}", metrics, StringComparison.Ordinal);
        var fresh = await wal.WriteAsync(ns, "after the damage"u8.ToArray(), cancellationToken: Ct);
        Assert.Equal(Trilean.True, fresh.Durable);
        await _target.WaitForAppliedAsync(fresh.MessageId, Deadline);
    }

    [Fact]
    public async Task AMessageWhoseEnvelopeCannotBeReadIsDeadLetteredWithTheReasonAndTheRestIsDelivered()
    {
        var server = Server(NewFolder());
        var wal = server.CreateWalClient();
        var ns = await CreatePausedAsync(wal);
        var ids = await WriteAsync(wal, ns, 5);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(server.Settings["Wal:DataDirectory"]!, "wal.db")};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE messages SET meta = zeroblob(16) WHERE id = $id";
            command.Parameters.AddWithValue("$id", ids[2]);
            Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
        }

        await wal.Admin.ResumeNamespaceAsync(new ResumeNamespaceRequest { Name = ns }, cancellationToken: Ct);

        foreach (var id in ids.Where(id => id != ids[2]))
        {
            await _target.WaitForAppliedAsync(id, Deadline);
        }

        var letters = await Eventually.WaitAsync(
            async () =>
            {
                var page = await wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns }, cancellationToken: Ct);
                return page.DeadLetters.Count > 0 ? page.DeadLetters : null;
            },
            Deadline,
            "the unreadable message in the dead-letter queue");
        var letter = Assert.Single(letters);
        Assert.Equal(ids[2], letter.MessageId);
        Assert.StartsWith("the stored message could not be read: its envelope does not decode", letter.LastError, StringComparison.Ordinal);
        Assert.Empty(_target.For(ids[2]));
    }

    [Fact]
    public async Task ATornWriteAheadLogHeaderStopsTheStartNamingTheCommitsSqliteWouldDropAndLeavesTheFileAsFound()
    {
        var server = Server(NewFolder());
        var wal = server.CreateWalClient();
        var ns = await CreatePausedAsync(wal);
        await WriteAsync(wal, ns, 20);
        var copy = SqliteFiles.CopyDataFolder(server.Settings["Wal:DataDirectory"]!);
        _folders.Add(copy);
        var walFile = Path.Combine(copy, "wal.db-wal");
        SqliteFiles.TearWalHeader(walFile);
        var torn = await File.ReadAllBytesAsync(walFile, Ct);

        var error = Assert.ThrowsAny<Exception>(() => Server(copy).Server);

        var message = Flatten(error);
        Assert.Matches(@"its write-ahead log wal\.db-wal holds [1-9][0-9]* committed transaction\(s\) that SQLite cannot recover \(its header is damaged", message);
        Assert.Contains("Wal:Storage:StartOnDamage=true", message, StringComparison.Ordinal);
        Assert.Equal(torn, await File.ReadAllBytesAsync(walFile, Ct));
    }

    private static string Flatten(Exception error) =>
        string.Join(" | ", Chain(error).Select(e => e.Message));

    private static IEnumerable<Exception> Chain(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error;
            if (error is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>
    /// Writes 400 messages into a paused namespace, stops the server, and damages a page of their rows in a copy of
    /// its data folder.
    /// </summary>
    private async Task<(string Copy, string Namespace, Written Written)> CopyOfALogWithADamagedPageAsync()
    {
        var folder = NewFolder();
        var first = Server(folder);
        var wal = first.CreateWalClient();
        var ns = await CreatePausedAsync(wal);
        var ids = await WriteAsync(wal, ns, 400);
        _servers.Remove(first);
        await first.DisposeAsync();
        SqliteFiles.CloseIdleConnections();
        SqliteFiles.Checkpoint(Path.Combine(folder, "wal.db"));
        var copy = SqliteFiles.CopyDataFolder(folder);
        _folders.Add(copy);
        var rows = SqliteFiles.DamageAMessagesPage(Path.Combine(copy, "wal.db"));
        return (copy, ns, new Written(ids, rows));
    }

    private async Task<string> CreatePausedAsync(WalClient wal)
    {
        var config = Namespaces.Http(_target.Url("/ok"), "storage");
        await wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        await wal.Admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = config.Name }, cancellationToken: Ct);
        return config.Name;
    }

    private static async Task<IReadOnlyList<string>> WriteAsync(WalClient wal, string ns, int count)
    {
        var payload = new byte[300];
        var ids = new List<string>(count);
        foreach (var chunk in Enumerable.Range(0, count).Chunk(50))
        {
            var answers = await Task.WhenAll(chunk.Select(_ => wal.WriteAsync(ns, payload, cancellationToken: Ct)));
            Assert.All(answers, a => Assert.Equal(Trilean.True, a.Durable));
            ids.AddRange(answers.Select(a => a.MessageId));
        }

        return ids;
    }

    private int Delivered(IReadOnlyList<string> ids) => ids.Count(id => _target.For(id).Count > 0);

    private string NewFolder()
    {
        var folder = Directory.CreateTempSubdirectory("wal-storage-").FullName;
        _folders.Add(folder);
        return folder;
    }

    private WalServerFactory Server(string dataDirectory, params (string Key, string Value)[] settings)
    {
        var server = new WalServerFactory();
        server.Settings["Wal:DataDirectory"] = dataDirectory;
        foreach (var (key, value) in settings)
        {
            server.Settings[key] = value;
        }

        _servers.Add(server);
        return server;
    }

    private sealed record Written(IReadOnlyList<string> Ids, int RowsOnDamagedPage);
}

[CollectionDefinition(nameof(StorageFaultTests), DisableParallelization = true)]
public sealed class StorageFaultTestsRunAlone;
