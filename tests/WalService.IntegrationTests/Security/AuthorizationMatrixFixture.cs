using System.Security.Cryptography.X509Certificates;
using WalService.Api.V1;

namespace WalService.IntegrationTests.Security;

/// <summary>
/// One server over TLS that takes both API keys and client certificates (Mode Allow, the test CA), with the admin
/// "admin", a namespace "writers" that allows only "writer", one that allows only "reader", and a message in "writers".
/// </summary>
public sealed class AuthorizationMatrixFixture : IAsyncLifetime
{
    internal const string AdminKey = "admin-key-4a1f9c";
    internal const string WriterKey = "writer-key-77b0e2";
    internal const string ReaderKey = "reader-key-c3d815";

    private readonly Dictionary<string, X509Certificate2> _certificatesByName = new(StringComparer.Ordinal);

    internal TestCertificates Certificates { get; } = new();

    internal AuthServer Server { get; private set; } = null!;

    internal string WritersNamespace { get; } = Namespaces.UniqueName("writers");

    internal string ReadersNamespace { get; } = Namespaces.UniqueName("readers");

    internal string MessageId { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        Server = new AuthServer(
            [
                AuthServer.ApiKey("admin", AdminKey),
                AuthServer.ApiKey("writer", WriterKey),
                AuthServer.ApiKey("reader", ReaderKey),
                new("Wal:Auth:Admins:0", "admin"),
                new("Wal:Auth:ClientCertificates:Mode", "Allow"),
                new("Wal:Auth:ClientCertificates:CaPath", Certificates.CaPath),
            ],
            Certificates);
        Server.Start();
        foreach (var name in new[] { "admin", "writer", "reader" })
        {
            _certificatesByName[name] = Certificates.Client(name);
        }

        var admin = Server.Clients(apiKey: AdminKey).Admin;
        await admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = Config(WritersNamespace, "writer") });
        await admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = Config(ReadersNamespace, "reader") });
        var written = await Server.Clients(apiKey: WriterKey).Log.WriteToLogAsync(new WriteToLogRequest { Namespace = WritersNamespace });
        MessageId = written.MessageId;
    }

    internal X509Certificate2 Certificate(string commonName) => _certificatesByName[commonName];

    internal static NamespaceConfig Config(string name, params string[] allowedClients)
    {
        var config = Namespaces.Noop();
        config.Name = name;
        config.AllowedClients.Add(allowedClients);
        return config;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Certificates.Dispose();
    }
}
