using System.Net;
using Grpc.Core;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>The server's data directory on a small tmpfs that the test fills and frees again.</summary>
[Collection(nameof(StorageFaultTests))]
public sealed class DiskFullTests
{
    private const long TmpfsBytes = 16 * 1024 * 1024;
    private const long MinFreeBytes = 2 * 1024 * 1024;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFullDiskFailsReadinessAndRefusesWritesAndNamespaceChangesUntilSpaceIsFreedWithoutARestart()
    {
        var (mount, why) = TmpfsMount.TryMount(TmpfsBytes);
        if (mount is null)
        {
            Assert.Skip(why);
        }

        using (mount)
        {
            await using var server = new WalServerFactory();
            server.Settings["Wal:DataDirectory"] = Path.Combine(mount.Path, "data");
            server.Settings["Wal:Storage:MinFreeBytes"] = MinFreeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var http = server.CreateClient();
            var wal = server.CreateWalClient();
            var ns = Namespaces.Noop("disk");
            await wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = ns }, cancellationToken: Ct);
            Assert.Equal(Trilean.True, (await wal.WriteAsync(ns.Name, "before"u8.ToArray(), cancellationToken: Ct)).Durable);

            var filler = mount.Fill();

            var notReady = await ReadinessAsync(http, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("storage wal.db disk_full: ", notReady, StringComparison.Ordinal);
            // The threshold is usually crossed first; a background commit (an acknowledgement) may meet the full disk
            // itself before, and then SQLite's own error is the reason given.
            Assert.True(
                notReady.Contains("below Wal:Storage:MinFreeBytes", StringComparison.Ordinal) || notReady.Contains("database or disk is full", StringComparison.Ordinal),
                notReady);
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);
            Assert.Contains("file=\"wal.db\",kind=\"disk_full\"} 1", metrics, StringComparison.Ordinal);
            var refused = await wal.WriteAsync(ns.Name, "while full"u8.ToArray(), cancellationToken: Ct);
            Assert.NotEqual(Trilean.True, refused.Durable);
            Assert.Contains("the disk is full", refused.Message, StringComparison.Ordinal);
            var create = await Assert.ThrowsAsync<RpcException>(() =>
                wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = Namespaces.Noop("disk") }, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, create.StatusCode);
            Assert.StartsWith("the control plane could not commit: the disk is full:", create.Status.Detail, StringComparison.Ordinal);

            File.Delete(filler);

            await ReadinessAsync(http, HttpStatusCode.OK);
            Assert.Equal(Trilean.True, (await wal.WriteAsync(ns.Name, "after"u8.ToArray(), cancellationToken: Ct)).Durable);
            await wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = Namespaces.Noop("disk") }, cancellationToken: Ct);
            // The exporter answers a scrape from its cache for a moment: poll until it shows the fault over.
            await Eventually.WaitAsync(
                async () => (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct)).Contains("file=\"wal.db\",kind=\"disk_full\"} 0", StringComparison.Ordinal),
                Deadline,
                "the disk_full gauge of wal.db to fall to 0");
        }
    }

    private static Task<string> ReadinessAsync(HttpClient http, HttpStatusCode expected) =>
        Eventually.WaitAsync(
            async () =>
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
                return response.StatusCode == expected ? await response.Content.ReadAsStringAsync(Ct) : null;
            },
            Deadline,
            $"/readyz to answer {(int)expected}");
}
