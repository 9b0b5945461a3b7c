using System.Text;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;

namespace WalService.CliTests;

public sealed class WriteCommandTests
{
    [Theory]
    [InlineData(Trilean.True, ExitCodes.Success)]
    [InlineData(Trilean.Unknown, ExitCodes.DurableUnknown)]
    [InlineData(Trilean.False, ExitCodes.DurableFalse)]
    [InlineData(Trilean.Unspecified, ExitCodes.DurableUnknown)]
    public async Task ExitCodeFollowsTheDurableAnswer(Trilean durable, int expectedExitCode)
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", _ => new WriteToLogResponse { Durable = durable, MessageId = "01ID" });

        // Act
        var run = await CliRun.RunAsync(server, ["write", "orders", "hello"]);

        // Assert
        Assert.Equal(expectedExitCode, run.ExitCode);
        Assert.Contains("01ID", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrintsMessageIdAndDurable()
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", _ => new WriteToLogResponse { Durable = Trilean.Unknown, MessageId = "01ID", Message = "timed out" });

        // Act
        var run = await CliRun.RunAsync(server, ["write", "orders", "hello"]);

        // Assert
        Assert.Equal("message_id: 01ID\ndurable:    UNKNOWN\nmessage:    timed out\n", run.Stdout.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task SendsDelayKeysAndHeaders()
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", _ => new WriteToLogResponse { Durable = Trilean.True });

        // Act
        await CliRun.RunAsync(server, ["write", "orders", "hello", "--delay", "5m", "--key", "order-42", "--ordering-key", "customer-7", "--header", "a=1", "--header", "b=x=y"]);

        // Assert
        var request = server.Single<WriteToLogRequest>("WriteToLog");
        Assert.Equal("orders", request.Namespace);
        Assert.Equal("hello", request.Payload.ToStringUtf8());
        Assert.Equal(Duration.FromTimeSpan(TimeSpan.FromMinutes(5)), request.Lifecycle.Delay);
        Assert.Equal("order-42", request.IdempotencyKey);
        Assert.Equal("customer-7", request.OrderingKey);
        Assert.Equal("1", request.Headers["a"]);
        Assert.Equal("x=y", request.Headers["b"]);
    }

    [Fact]
    public async Task WithoutPayloadReadsStandardInput()
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", _ => new WriteToLogResponse { Durable = Trilean.True });

        // Act
        await CliRun.RunAsync(server, ["write", "orders"], stdin: "from stdin");

        // Assert
        Assert.Equal("from stdin", server.Single<WriteToLogRequest>("WriteToLog").Payload.ToStringUtf8());
    }

    [Fact]
    public async Task DashPayloadReadsRawBytesFromStandardInput()
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", _ => new WriteToLogResponse { Durable = Trilean.True });
        byte[] bytes = [0x00, 0xff, 0xfe, 0x41];

        // Act
        await CliRun.RunWithRawStdinAsync(server, ["write", "orders", "-"], bytes);

        // Assert
        Assert.Equal(bytes, server.Single<WriteToLogRequest>("WriteToLog").Payload.ToByteArray());
    }

    [Fact]
    public async Task FileOptionSendsTheFilesBytes()
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", _ => new WriteToLogResponse { Durable = Trilean.True });
        var path = Path.GetTempFileName();
        byte[] bytes = [1, 2, 3, 0, 255];
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);

        try
        {
            // Act
            var run = await CliRun.RunAsync(server, ["write", "orders", "--file", path]);

            // Assert
            Assert.Equal(ExitCodes.Success, run.ExitCode);
            Assert.Equal(bytes, server.Single<WriteToLogRequest>("WriteToLog").Payload.ToByteArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task MissingFileIsNamedAndNothingIsSent()
    {
        // Arrange
        var server = new FakeServer();
        var path = Path.Combine(Path.GetTempPath(), "walctl-missing-" + Guid.NewGuid().ToString("N") + ".bin");

        // Act
        var run = await CliRun.RunAsync(server, ["write", "orders", "--file", path]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal($"error: {path}: no such file", run.Stderr.TrimEnd());
        Assert.Empty(server.Calls);
    }

    [Fact]
    public async Task JsonOutputIsTheResponsesProtobufJson()
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", _ => new WriteToLogResponse { Durable = Trilean.True, MessageId = "01ID" });

        // Act
        var run = await CliRun.RunAsync(server, ["write", "orders", "hello", "-o", "json"]);

        // Assert
        var response = Google.Protobuf.JsonParser.Default.Parse<WriteToLogResponse>(run.Stdout);
        Assert.Equal("01ID", response.MessageId);
        Assert.Equal(Trilean.True, response.Durable);
    }

    [Fact]
    public async Task PayloadArgumentIsSentAsUtf8()
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", _ => new WriteToLogResponse { Durable = Trilean.True });

        // Act
        await CliRun.RunAsync(server, ["write", "orders", "grüße"]);

        // Assert
        Assert.Equal(Encoding.UTF8.GetBytes("grüße"), server.Single<WriteToLogRequest>("WriteToLog").Payload.ToByteArray());
    }
}
