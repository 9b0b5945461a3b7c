using System.Security.Cryptography;
using System.Text;
using WalService.Server.Security;

namespace WalService.IntegrationTests.Security;

/// <summary>The pieces authentication is built from, on their own.</summary>
public sealed class AuthPiecesTests
{
    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void AKeyIsFoundByItsHashExactlyAsSent()
    {
        var table = new ApiKeyTable([KeyValuePair.Create("billing", Sha256("k-1")), KeyValuePair.Create("ops", Sha256("k-2"))]);

        Assert.Equal("billing", table.Find("k-1"));
        Assert.Equal("ops", table.Find("k-2"));
        Assert.Null(table.Find("k-1 "));
        Assert.Null(table.Find(" k-1"));
        Assert.Null(table.Find("K-1"));
        Assert.Null(table.Find(string.Empty));
    }

    [Fact]
    public void TheHashIsLowercaseHexSha256OfTheUtf8Key()
    {
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", ApiKeyTable.Hash("hello"));
        Assert.True(ApiKeyTable.IsSha256Hex(ApiKeyTable.Hash("hello")));
        Assert.False(ApiKeyTable.IsSha256Hex(ApiKeyTable.Hash("hello").ToUpperInvariant()));
        Assert.False(ApiKeyTable.IsSha256Hex(ApiKeyTable.Hash("hello")[1..]));
        Assert.False(ApiKeyTable.IsSha256Hex(null));
    }

    [Theory]
    [InlineData("http://127.0.0.1:7070", true)]
    [InlineData("https://localhost:7070", true)]
    [InlineData("http://[::1]:7070", true)]
    [InlineData("http://127.0.0.2:7070", true)]
    [InlineData("http://0.0.0.0:7070", false)]
    [InlineData("http://[::]:7070", false)]
    [InlineData("http://*:7070", false)]
    [InlineData("http://+:7070", false)]
    [InlineData("http://10.1.2.3:7070", false)]
    [InlineData("https://wal.example.internal:7070", false)]
    public void AnEndpointIsLoopbackOnlyForLocalhostAndLoopbackAddresses(string url, bool loopback)
    {
        Assert.Equal(loopback, AuthOptionsValidator.IsLoopback(url));
    }

    [Fact]
    public void AClientCertificateNamesItsSubjectsCommonName()
    {
        using var certificates = new TestCertificates();

        Assert.Equal("writer", WalAuthenticationHandler.CommonName(certificates.Client("writer")));
    }
}
