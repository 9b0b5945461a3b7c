using WalService.Api.V1;
using WalService.Client;

namespace WalService.CliTests;

/// <summary>TLS files and the plaintext rule for API keys, as walctl and <see cref="WalChannels"/> apply them.</summary>
public sealed class TransportOptionsTests
{
    [Fact]
    public async Task TlsOptionsConfigureTheClient()
    {
        // Arrange
        var server = new FakeServer().On<GetMessageStatusRequest>("GetMessageStatus", _ => new MessageStatus());

        // Act
        await CliRun.RunAsync(server, ["status", "orders", "01ID", "--ca-cert", "ca.pem", "--client-cert", "me.pem", "--client-key", "me.key", "--plaintext-credentials"]);

        // Assert
        Assert.NotNull(server.Options);
        Assert.Equal("ca.pem", server.Options.CaCertificatePath);
        Assert.Equal("me.pem", server.Options.ClientCertificatePath);
        Assert.Equal("me.key", server.Options.ClientKeyPath);
        Assert.True(server.Options.AllowPlaintextCredentials);
    }

    [Fact]
    public async Task AnApiKeyIsNotSentInPlaintextToANonLoopbackAddressWithoutOptIn()
    {
        // Act: walctl's own channel factory refuses before it opens any connection.
        var run = await CliRun.RunWithDefaultChannelsAsync(["status", "orders", "01ID", "--address", "http://wal.example:7070", "--api-key", "k"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("plaintext", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--plaintext-credentials", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingCertificateFileIsAUsageErrorNamingTheOptions()
    {
        // Act
        var run = await CliRun.RunWithDefaultChannelsAsync(["status", "orders", "01ID", "--address", "https://127.0.0.1:1", "--client-cert", "/nonexistent/me.pem"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--client-cert", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://wal.example:7070", false, true)]
    [InlineData("http://127.0.0.1:7070", false, true)]
    [InlineData("http://[::1]:7070", false, true)]
    [InlineData("http://localhost:7070", false, true)]
    [InlineData("http://wal.example:7070", false, false)]
    [InlineData("http://wal.example:7070", true, true)]
    public void ApiKeysTravelOverTlsOrLoopbackOrByOptIn(string address, bool optIn, bool expected)
    {
        // Arrange
        var options = new WalClientOptions { Address = new Uri(address), ApiKey = "k", AllowPlaintextCredentials = optIn };

        // Act + Assert
        Assert.Equal(expected, WalChannels.MaySendCredentials(options));
        Assert.Equal(expected, WalChannels.CredentialProblem(options) is null);
    }

    [Fact]
    public void ACaFileWithoutACertificateIsRefusedNamingTheSetting()
    {
        // Arrange
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "not a certificate");
        try
        {
            // Act
            var error = Assert.Throws<InvalidOperationException>(() => WalChannels.CreateHandler(new WalClientOptions { CaCertificatePath = path }));

            // Assert
            Assert.Contains("CaCertificatePath", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
