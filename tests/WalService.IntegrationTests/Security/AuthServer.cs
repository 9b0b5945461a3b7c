using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WalService.Api.V1;

namespace WalService.IntegrationTests.Security;

/// <summary>
/// The real server with the authentication settings a test gives it: in memory, or on a real Kestrel listener on
/// 127.0.0.1 with TLS (<see cref="WithTls"/>) when client certificates are under test. Its log lines are captured.
/// </summary>
internal sealed class AuthServer : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("wal-auth-").FullName;
    private readonly List<GrpcChannel> _channels = [];
    private readonly TestCertificates? _certificates;

    public AuthServer(IEnumerable<KeyValuePair<string, string?>> settings, TestCertificates? certificates = null)
    {
        Settings = new(settings, StringComparer.Ordinal);
        _certificates = certificates;
        if (certificates is not null)
        {
            Settings["Kestrel:Endpoints:Grpc:Url"] = "https://127.0.0.1:0";
            Settings["Kestrel:Endpoints:Grpc:Certificate:Path"] = certificates.ServerCertificatePath;
            Settings["Kestrel:Endpoints:Grpc:Certificate:KeyPath"] = certificates.ServerKeyPath;
            Settings["Kestrel:Endpoints:Ops:Url"] = "http://127.0.0.1:0";
            UseKestrel();
        }
    }

    public Dictionary<string, string?> Settings { get; }

    public CapturedLogs Logs { get; } = new();

    /// <summary>The setting that makes <paramref name="key"/> the API key of <paramref name="clientId"/>.</summary>
    public static KeyValuePair<string, string?> ApiKey(string clientId, string key) =>
        KeyValuePair.Create($"Wal:Auth:ApiKeys:{clientId}:Sha256", (string?)Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));

    /// <summary>Starts the server (building it first); a refused configuration throws here.</summary>
    public void Start()
    {
        if (_certificates is null)
        {
            _ = Server;
        }
        else
        {
            StartServer();
        }
    }

    /// <summary>Clients sending the given credentials, over TLS with <paramref name="certificate"/> when the server has TLS.</summary>
    public (WriteAheadLog.WriteAheadLogClient Log, NamespaceAdmin.NamespaceAdminClient Admin) Clients(
        string? apiKey = null,
        X509Certificate2? certificate = null,
        string? clientId = null)
    {
        var channel = _certificates is null
            ? GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() })
            : GrpcChannel.ForAddress(Address("https://"), new GrpcChannelOptions { HttpHandler = TlsHandler(_certificates, certificate) });
        _channels.Add(channel);
        var invoker = channel.Intercept(metadata =>
        {
            if (apiKey is not null)
            {
                metadata.Add("authorization", "Bearer " + apiKey);
            }

            if (clientId is not null)
            {
                metadata.Add("wal-client-id", clientId);
            }

            return metadata;
        });
        return (new WriteAheadLog.WriteAheadLogClient(invoker), new NamespaceAdmin.NamespaceAdminClient(invoker));
    }

    /// <summary>The channel under <see cref="Clients"/>, for other services (health).</summary>
    public GrpcChannel Channel(X509Certificate2? certificate = null)
    {
        Clients(certificate: certificate);
        return _channels[^1];
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await base.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a pooled connection; the temporary folder is cleaned by the system.
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Wal:DataDirectory", _dataDirectory);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<ILoggerFactory>(new LoggerFactory([Logs])));
    }

    /// <summary>The address of the real listener whose URL starts with <paramref name="scheme"/> (<c>https://</c>, <c>http://</c>).</summary>
    public Uri Address(string scheme) =>
        new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Single(a => a.StartsWith(scheme, StringComparison.Ordinal)));

    private static SocketsHttpHandler TlsHandler(TestCertificates certificates, X509Certificate2? certificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, server, _, _) =>
            server is X509Certificate2 presented && certificates.TrustsServer(presented);
        if (certificate is not null)
        {
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }

        return handler;
    }
}
