using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using WalService.Api.V1;
using WalService.Client;

namespace WalService.TestSupport;

/// <summary>
/// The real server in-process on the embedded default, with a fresh data folder in a temporary directory. Each test
/// class gets its own; tests inside a class use namespaces of their own.
/// </summary>
public sealed class WalServerFactory : WebApplicationFactory<Program>
{
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("wal-it-").FullName;

    /// <summary>Settings a test class adds before the server starts.</summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.Ordinal);

    public WalClient CreateWalClient(string? clientId = null, string? apiKey = null)
    {
        var channel = GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() });
        var invoker = channel.Intercept(metadata =>
        {
            if (clientId is not null)
            {
                metadata.Add("wal-client-id", clientId);
            }

            if (apiKey is not null)
            {
                metadata.Add("authorization", "Bearer " + apiKey);
            }

            return metadata;
        });
        return new WalClient(new WriteAheadLog.WriteAheadLogClient(invoker), new NamespaceAdmin.NamespaceAdminClient(invoker));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a pooled connection; the temporary folder is cleaned by the system.
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Wal:DataDirectory", DataDirectory);
        builder.UseSetting("Wal:NamespaceRefreshInterval", "00:00:00.250");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
