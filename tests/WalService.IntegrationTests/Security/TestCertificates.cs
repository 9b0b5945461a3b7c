using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WalService.IntegrationTests.Security;

/// <summary>
/// A test CA, a server certificate for 127.0.0.1 and localhost signed by it, and client certificates by CN; the CA
/// and the server's certificate and key are written as PEM files, as the server reads them.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly string _directory = Directory.CreateTempSubdirectory("wal-certs-").FullName;
    private readonly List<X509Certificate2> _issued = [];

    public TestCertificates()
    {
        Ca = CreateCa("CN=WalService Test CA");
        CaPath = Path.Combine(_directory, "ca.pem");
        File.WriteAllText(CaPath, Ca.ExportCertificatePem());

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = LeafRequest("CN=127.0.0.1", serverKey, ServerAuth);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var server = Sign(request, Ca);
        ServerCertificatePath = Path.Combine(_directory, "server.pem");
        ServerKeyPath = Path.Combine(_directory, "server.key");
        File.WriteAllText(ServerCertificatePath, server.ExportCertificatePem());
        File.WriteAllText(ServerKeyPath, serverKey.ExportPkcs8PrivateKeyPem());
    }

    public X509Certificate2 Ca { get; }

    public string CaPath { get; }

    public string ServerCertificatePath { get; }

    public string ServerKeyPath { get; }

    /// <summary>A client certificate with subject <c>CN=<paramref name="commonName"/></c>, signed by the test CA.</summary>
    public X509Certificate2 Client(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = Sign(LeafRequest("CN=" + commonName, key, ClientAuth), Ca);
        return Keep(certificate.CopyWithPrivateKey(key));
    }

    /// <summary>A self-signed client certificate with subject <c>CN=<paramref name="commonName"/></c>: not from the test CA.</summary>
    public X509Certificate2 SelfSigned(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = LeafRequest("CN=" + commonName, key, ClientAuth);
        return Keep(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1)));
    }

    /// <summary>Accepts the server's certificate when it chains to the test CA alone.</summary>
    public bool TrustsServer(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Ca.Dispose();
        foreach (var certificate in _issued)
        {
            certificate.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private X509Certificate2 Keep(X509Certificate2 certificate)
    {
        _issued.Add(certificate);
        return certificate;
    }

    private static X509Certificate2 CreateCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static CertificateRequest LeafRequest(string subject, ECDsa key, Oid usage)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        return request;
    }

    private static X509Certificate2 Sign(CertificateRequest request, X509Certificate2 issuer)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        return request.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(12), serial);
    }
}
