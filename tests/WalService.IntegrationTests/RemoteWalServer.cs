using System.Net;
using System.Net.Sockets;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using WalService.Api.V1;
using WalService.Client;
using WalService.IntegrationTests.Security;

namespace WalService.IntegrationTests;

/// <summary>
/// The real server as the remote of a <c>wal</c> target: on a real Kestrel listener on 127.0.0.1 and a port chosen
/// before it starts (so it can stop and start again where its forwarders look for it), over TLS when given
/// certificates, with the settings a test gives it. Its data folder outlives a restart.
/// </summary>
internal sealed class RemoteWalServer : WebApplicationFactory<Program>
{
    private readonly TestCertificates? _certificates;
    private readonly List<GrpcChannel> _channels = [];

    public RemoteWalServer(int port, string dataDirectory, IEnumerable<KeyValuePair<string, string?>> settings, TestCertificates? certificates = null)
    {
        _certificates = certificates;
        Address = new Uri($"{(certificates is null ? "http" : "https")}://127.0.0.1:{port}");
        Settings = new(settings, StringComparer.Ordinal)
        {
            ["Wal:DataDirectory"] = dataDirectory,
            ["Wal:NamespaceRefreshInterval"] = "00:00:00.250",
            ["Kestrel:Endpoints:Grpc:Url"] = Address.ToString(),
            ["Kestrel:Endpoints:Ops:Url"] = "http://127.0.0.1:0",
        };
        if (certificates is not null)
        {
            Settings["Kestrel:Endpoints:Grpc:Certificate:Path"] = certificates.ServerCertificatePath;
            Settings["Kestrel:Endpoints:Grpc:Certificate:KeyPath"] = certificates.ServerKeyPath;
        }

        DataDirectory = dataDirectory;
        UseKestrel();
        StartServer();
    }

    public Uri Address { get; }

    public string DataDirectory { get; }

    public Dictionary<string, string?> Settings { get; }

    /// <summary>A port on 127.0.0.1 that nothing listens on now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A client of this server over its real listener, with an API key or a client certificate when given.</summary>
    public WalClient Client(string? apiKey = null, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        var handler = new SocketsHttpHandler();
        if (_certificates is { } certificates)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, server, _, _) =>
                server is System.Security.Cryptography.X509Certificates.X509Certificate2 presented && certificates.TrustsServer(presented);
            if (certificate is not null)
            {
                handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
            }
        }

        var channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions { HttpHandler = handler });
        _channels.Add(channel);
        var invoker = channel.Intercept(metadata =>
        {
            if (apiKey is not null)
            {
                metadata.Add("authorization", "Bearer " + apiKey);
            }

            return metadata;
        });
        return new WalClient(new WriteAheadLog.WriteAheadLogClient(invoker), new NamespaceAdmin.NamespaceAdminClient(invoker));
    }

    /// <summary>The messages this server's log holds for <paramref name="ns"/>, in write order: id and ordering key.</summary>
    public List<(string Id, string? OrderingKey)> StoredMessages(string ns)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "wal.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, ordering_key FROM messages WHERE ns = $ns ORDER BY seq";
        command.Parameters.AddWithValue("$ns", ns);
        using var reader = command.ExecuteReader();
        var rows = new List<(string, string?)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }

        return rows;
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await base.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
