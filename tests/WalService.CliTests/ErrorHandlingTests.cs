using Grpc.Core;
using WalService.Api.V1;

namespace WalService.CliTests;

/// <summary>A failed call prints <c>error: &lt;StatusCode&gt;: &lt;detail&gt;</c> and exits with the code for its status.</summary>
public sealed class ErrorHandlingTests
{
    [Theory]
    [InlineData(StatusCode.NotFound, ExitCodes.NotFound)]
    [InlineData(StatusCode.Unavailable, ExitCodes.Unreachable)]
    [InlineData(StatusCode.InvalidArgument, ExitCodes.Usage)]
    [InlineData(StatusCode.FailedPrecondition, ExitCodes.RpcError)]
    [InlineData(StatusCode.PermissionDenied, ExitCodes.RpcError)]
    [InlineData(StatusCode.Aborted, ExitCodes.RpcError)]
    public async Task RpcErrorExitsWithTheCodeForItsStatus(StatusCode status, int expectedExitCode)
    {
        // Arrange
        var server = new FakeServer().Fail("GetMessageStatus", status, "the detail");

        // Act
        var run = await CliRun.RunAsync(server, ["status", "orders", "01ID"]);

        // Assert
        Assert.Equal(expectedExitCode, run.ExitCode);
        Assert.StartsWith($"error: {status}: the detail", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task UnreachableServerHintsAtTheAddress()
    {
        // Arrange
        var server = new FakeServer().Fail("ListNamespaces", StatusCode.Unavailable, "Error connecting to subchannel.");

        // Act
        var run = await CliRun.RunAsync(server, ["namespace", "list", "--address", "http://10.0.0.9:7070"]);

        // Assert
        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains("http://10.0.0.9:7070", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyReportsAVersionConflict()
    {
        // Arrange
        var server = new FakeServer()
            .On<GetNamespaceRequest>("GetNamespace", r => new Namespace { Config = new NamespaceConfig { Name = r.Name }, Version = 4 })
            .Fail("UpdateNamespace", StatusCode.Aborted, "expected version 4, found 5");

        // Act
        var run = await CliRun.RunAsync(server, ["namespace", "apply", "-f", "-"], stdin: """{"name": "orders"}""");

        // Assert
        Assert.Equal(ExitCodes.RpcError, run.ExitCode);
        Assert.Equal("error: Aborted: expected version 4, found 5", run.Stderr.TrimEnd());
    }
}
