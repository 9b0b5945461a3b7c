using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using WalService.Api.V1;
using WalService.Cli;
using WalService.Client;

namespace WalService.IntegrationTests.Security;

/// <summary>
/// The client library and walctl over mutual TLS to the real server, as their users configure them: the private CA
/// and the client certificate as PEM files, nothing else.
/// </summary>
public sealed class ClientLibraryTlsTests : MutualTlsTest
{
    private readonly string _files = Directory.CreateTempSubdirectory("wal-client-tls-").FullName;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_files, recursive: true);
    }

    [Fact]
    public async Task AddWalClientConnectsWithAPrivateCaAndAClientCertificate()
    {
        // Arrange
        var (certificate, key) = WritePem(Certificates.Client("ops"), "ops");
        await using var services = new ServiceCollection().AddWalClient(o =>
        {
            o.Address = Server.Address("https://");
            o.CaCertificatePath = Certificates.CaPath;
            o.ClientCertificatePath = certificate;
            o.ClientKeyPath = key;
        }).BuildServiceProvider();
        var client = services.GetRequiredService<WalClient>();

        // Act
        var created = await client.Admin.CreateNamespaceAsync(
            new CreateNamespaceRequest { Config = new NamespaceConfig { Name = "tls-orders", Target = new Target { Noop = new NoopTarget() } } },
            cancellationToken: Ct);
        var written = await client.WriteAsync("tls-orders", "hello"u8.ToArray(), cancellationToken: Ct);

        // Assert
        Assert.Equal("tls-orders", created.Config.Name);
        Assert.Equal(Trilean.True, written.Durable);
    }

    [Fact]
    public async Task WalctlConnectsWithCaCertAndClientCertOptions()
    {
        // Arrange
        var (certificate, key) = WritePem(Certificates.Client("ops"), "walctl-ops");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // Act
        var exitCode = await WalCtl.RunAsync(
            ["namespace", "list", "--address", Server.Address("https://").ToString(), "--ca-cert", Certificates.CaPath, "--client-cert", certificate, "--client-key", key],
            stdout,
            stderr,
            new StringReader(string.Empty));

        // Assert
        Assert.True(exitCode == ExitCodes.Success, $"walctl exited {exitCode}: {stderr}");
    }

    [Fact]
    public async Task WalctlWithoutThePrivateCaDoesNotTrustTheServerAndSaysWhichOptionHelps()
    {
        // Arrange
        var (certificate, key) = WritePem(Certificates.Client("ops"), "untrusting");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // Act
        var exitCode = await WalCtl.RunAsync(
            ["namespace", "list", "--address", Server.Address("https://").ToString(), "--client-cert", certificate, "--client-key", key],
            stdout,
            stderr,
            new StringReader(string.Empty));

        // Assert
        Assert.Equal(ExitCodes.RpcError, exitCode);
        Assert.Contains("--ca-cert", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(stdout.ToString());
    }

    /// <summary>Writes the certificate and its private key as PEM files, the form the client options take.</summary>
    private (string Certificate, string Key) WritePem(X509Certificate2 certificate, string name)
    {
        var certificatePath = Path.Combine(_files, name + ".pem");
        var keyPath = Path.Combine(_files, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey() ?? throw new CryptographicException("the test certificate has no ECDSA key");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
