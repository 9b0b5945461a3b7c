using WalService.Core.Model.Storage;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Targets.Http;

namespace WalService.UnitTests.Targets;

public sealed class HttpDeliveryRequestTests
{
    private static Delivery Delivery(params (string Name, string Value)[] headers)
    {
        var meta = new EnvelopeMeta { MessageId = "m-1", Namespace = "orders", OriginalWriteTimeMs = 1_700_000_000_000 };
        foreach (var (name, value) in headers)
        {
            meta.Headers.Add(name, value);
        }

        return new Delivery("orders", new Envelope(meta, new byte[] { 1 }), Attempt: 2);
    }

    private static string Header(HttpRequestMessage request, string name) =>
        string.Join(",", request.Headers.TryGetValues(name, out var values) ? values : request.Content!.Headers.GetValues(name));

    [Fact]
    public void TheTargetsHeadersWinOverTheMessagesAndTheServiceSetsItsOwnLast()
    {
        var http = new HttpTarget { Url = "http://127.0.0.1/apply", Headers = { ["Authorization"] = "Bearer platform-secret", ["x-team"] = "platform" } };

        using var request = HttpDeliveryRequest.TryBuild(http, Delivery(("x-team", "writer"), ("tenant", "eu-1")), out var error);

        Assert.Null(error);
        Assert.NotNull(request);
        Assert.Equal("Bearer platform-secret", Header(request, "authorization"));
        Assert.Equal("platform", Header(request, "x-team"));
        Assert.Equal("eu-1", Header(request, "tenant"));
        Assert.Equal("m-1", Header(request, "wal-message-id"));
        Assert.Equal("2", Header(request, "wal-attempt"));
        Assert.Equal("application/octet-stream", Header(request, "content-type"));
    }

    [Fact]
    public void ATargetsContentTypeReplacesTheDefault()
    {
        var http = new HttpTarget { Url = "http://127.0.0.1/apply", Headers = { ["content-type"] = "application/json" } };

        using var request = HttpDeliveryRequest.TryBuild(http, Delivery(), out _);

        Assert.Equal("application/json", Header(request!, "content-type"));
    }

    [Theory]
    [InlineData("x-a", "1\r\nContent-Length: 0\r\n\r\nDELETE /admin HTTP/1.1", "message header 'x-a' cannot be sent: value contains a control character")]
    [InlineData("authorization", "Bearer stolen", "message header 'authorization' cannot be sent: this header may be set by the namespace's target only, not by a write")]
    [InlineData("wal-attempt", "99", "message header 'wal-attempt' cannot be sent: names starting with \"wal-\" are set by the service")]
    public void AMessageStoredBeforeTheRulesWithAForbiddenHeaderIsNotSent(string name, string value, string expected)
    {
        var http = new HttpTarget { Url = "http://127.0.0.1/apply" };

        var request = HttpDeliveryRequest.TryBuild(http, Delivery((name, value)), out var error);

        Assert.Null(request);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void AValueTheHttpClientCannotParseIsNotSent()
    {
        var http = new HttpTarget { Url = "http://127.0.0.1/apply" };

        var request = HttpDeliveryRequest.TryBuild(http, Delivery(("if-modified-since", "not a date")), out var error);

        Assert.Null(request);
        Assert.StartsWith("message header 'if-modified-since' cannot be sent: ", error, StringComparison.Ordinal);
    }
}
