using WalService.Api.V1;

namespace WalService.CliTests;

public sealed class GlobalOptionsTests
{
    [Fact]
    public async Task GlobalOptionsConfigureTheClient()
    {
        // Arrange
        var server = new FakeServer().On<GetMessageStatusRequest>("GetMessageStatus", _ => new MessageStatus());

        // Act
        await CliRun.RunAsync(server, ["status", "orders", "01ID", "--address", "https://wal.example:8443", "--api-key", "k", "--client-id", "team-a", "--timeout", "5s"]);

        // Assert
        Assert.NotNull(server.Options);
        Assert.Equal(new Uri("https://wal.example:8443"), server.Options.Address);
        Assert.Equal("k", server.Options.ApiKey);
        Assert.Equal("team-a", server.Options.ClientId);
        Assert.Equal(TimeSpan.FromSeconds(5), server.Options.Timeout);
    }

    [Fact]
    public async Task GlobalOptionsMayComeBeforeTheCommand()
    {
        // Arrange
        var server = new FakeServer().On<GetMessageStatusRequest>("GetMessageStatus", _ => new MessageStatus());

        // Act
        var run = await CliRun.RunAsync(server, ["--client-id", "team-b", "-o", "json", "status", "orders", "01ID"]);

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("team-b", server.Options?.ClientId);
        Assert.StartsWith("{", run.Stdout, StringComparison.Ordinal);
    }
}
