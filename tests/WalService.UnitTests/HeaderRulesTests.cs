using Google.Protobuf;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Model;
using WalService.Core.Validation;

namespace WalService.UnitTests;

public sealed class HeaderRulesTests
{
    private static string? Check(HeaderSource source, params (string Name, string Value)[] headers) =>
        HeaderRules.Check(headers.Select(h => KeyValuePair.Create(h.Name, h.Value)), "headers", source);

    private static NamespaceSettings Settings(int maxPayloadBytes = 1024, bool allowOverride = false) =>
        NamespaceSettings.From(new Namespace
        {
            Config = new NamespaceConfig
            {
                Name = "orders",
                Target = new Target { Noop = new NoopTarget() },
                MaxPayloadBytes = maxPayloadBytes,
                AllowTargetOverride = allowOverride,
            },
            Version = 1,
        });

    [Theory]
    [InlineData("tenant", "eu-1")]
    [InlineData("X-Request-Id", "abc")]
    [InlineData("x_a.b~c!#$%&'*+^`|", "v")]
    [InlineData("x-note", "tab\tinside and trailing space ")]
    [InlineData("x-city", "Zürich ✓")]
    [InlineData("x-empty", "")]
    [InlineData("accept", "application/json")]
    public void OrdinaryHeadersAreAccepted(string name, string value)
    {
        Assert.Null(Check(HeaderSource.Message, (name, value)));
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("bad name", "HTTP token")]
    [InlineData(":authority", "HTTP token")]
    [InlineData("x-a\r\nhost", "HTTP token")]
    [InlineData("naïve", "HTTP token")]
    [InlineData("x(a)", "HTTP token")]
    public void ANameThatIsNotAnHttpTokenIsRefusedNamingTheHeader(string name, string reason)
    {
        var error = Check(HeaderSource.Message, (name, "v"));

        Assert.NotNull(error);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.StartsWith("headers[\"", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x-a", "1\r\nContent-Length: 0\r\n\r\nDELETE /admin/everything HTTP/1.1")]
    [InlineData("x-a", "line\nfeed")]
    [InlineData("x-a", "carriage\rreturn")]
    [InlineData("x-a", "nul\0byte")]
    [InlineData("x-a", "bell\u0007")]
    [InlineData("x-a", "del\u007f")]
    [InlineData("x-a", "next-line\u0085")]
    public void AValueWithAControlCharacterIsRefusedNamingTheHeader(string name, string value)
    {
        Assert.Equal("headers[\"x-a\"]: value contains a control character", Check(HeaderSource.Message, (name, value)));
    }

    [Theory]
    [InlineData("host")]
    [InlineData("Host")]
    [InlineData("content-length")]
    [InlineData("transfer-encoding")]
    [InlineData("te")]
    [InlineData("trailer")]
    [InlineData("connection")]
    [InlineData("keep-alive")]
    [InlineData("upgrade")]
    [InlineData("proxy-connection")]
    [InlineData("traceparent")]
    [InlineData("tracestate")]
    [InlineData("baggage")]
    [InlineData("wal-attempt")]
    [InlineData("WAL-Message-Id")]
    [InlineData("wal-anything")]
    public void NamesTheConnectionOrTheServiceSetsAreRefusedFromWritesAndTargets(string name)
    {
        var fromWrite = Check(HeaderSource.Message, (name, "v"));
        var fromTarget = Check(HeaderSource.Target, (name, "v"));

        Assert.StartsWith($"headers[\"{name}\"]: ", fromWrite, StringComparison.Ordinal);
        Assert.StartsWith($"headers[\"{name}\"]: ", fromTarget, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("authorization")]
    [InlineData("Authorization")]
    [InlineData("proxy-authorization")]
    [InlineData("cookie")]
    [InlineData("set-cookie")]
    [InlineData("expect")]
    [InlineData("content-type")]
    [InlineData("content-encoding")]
    [InlineData("content-anything")]
    [InlineData("forwarded")]
    [InlineData("x-forwarded-for")]
    [InlineData("x-real-ip")]
    public void CredentialAndBodyNamesAreRefusedFromWritesButAllowedOnTheNamespacesTarget(string name)
    {
        var fromWrite = Check(HeaderSource.Message, (name, "v"));
        var fromTarget = Check(HeaderSource.Target, (name, "v"));

        Assert.Equal($"headers[\"{name}\"]: this header may be set by the namespace's target only, not by a write", fromWrite);
        Assert.Null(fromTarget);
    }

    [Fact]
    public void SixtyFourHeadersAreAcceptedAndSixtyFiveRefused()
    {
        var many = Enumerable.Range(0, HeaderRules.MaxHeaders + 1).Select(i => ($"h{i}", "v")).ToArray();

        Assert.Null(Check(HeaderSource.Message, many[..HeaderRules.MaxHeaders]));
        Assert.Equal("headers: 65 headers exceed the limit of 64", Check(HeaderSource.Message, many));
    }

    [Fact]
    public void SixteenKibibytesOfNamesAndValuesAreAcceptedAndOneByteMoreRefused()
    {
        var exactly = new[] { ("a", new string('v', 8191)), ("b", new string('v', 8191)) };
        var over = new[] { ("a", new string('v', 8191)), ("b", new string('v', 8192)) };

        Assert.Null(Check(HeaderSource.Message, exactly));
        Assert.Equal("headers: 16385 bytes of names and values exceed the limit of 16384", Check(HeaderSource.Message, over));
    }

    [Fact]
    public void NamesThatDifferOnlyInCaseAreRefused()
    {
        var error = Check(HeaderSource.Message, ("x-a", "1"), ("X-A", "2"));

        Assert.Equal("headers[\"X-A\"]: the same name as \"x-a\" (header names are case-insensitive)", error);
    }

    [Fact]
    public void ALongNameIsTruncatedAndControlCharactersEscapedInTheMessage()
    {
        var error = Check(HeaderSource.Message, (new string('n', 5000) + " x", "v"));
        var escaped = Check(HeaderSource.Message, ("a\r\nb", "v"));

        Assert.NotNull(error);
        Assert.Contains("headers[\"" + new string('n', 40) + "...\"]", error, StringComparison.Ordinal);
        Assert.True(error.Length < 200, error);
        Assert.StartsWith("headers[\"a\\u000d\\u000ab\"]", escaped, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderBytesCountInTheMaxPayloadBytesWithThePayload()
    {
        var request = new WriteToLogRequest { Payload = ByteString.CopyFrom(new byte[90]), Headers = { ["tenant"] = "eu-1" } };

        var fits = HeaderRules.ValidateWrite(request, Settings(maxPayloadBytes: 100));
        var over = HeaderRules.ValidateWrite(request, Settings(maxPayloadBytes: 99));

        Assert.Null(fits);
        Assert.NotNull(over);
        Assert.Equal(StatusCode.InvalidArgument, over.Code);
        Assert.Equal("payload (90 bytes) and headers (10 bytes) together are 100 bytes; namespace 'orders' allows max_payload_bytes=99", over.Message);
    }

    [Fact]
    public void TheHttpHeadersOfATargetOverrideFollowTheMessageRules()
    {
        var request = new WriteToLogRequest
        {
            Target = new Target { Http = new HttpTarget { Url = "http://127.0.0.1/", Headers = { ["authorization"] = "Bearer stolen" } } },
        };

        var rejection = HeaderRules.ValidateWrite(request, Settings(allowOverride: true));

        Assert.Equal("target.http.headers[\"authorization\"]: this header may be set by the namespace's target only, not by a write", rejection?.Message);
    }

    [Fact]
    public void AWriteValidatorRejectionNamesTheHeader()
    {
        var request = new WriteToLogRequest { Headers = { ["x-a"] = "1\r\nHost: evil" } };

        var rejection = WriteValidator.Validate(request, Settings(), TestTargets.Catalog, DateTimeOffset.UnixEpoch, out _);

        Assert.Equal(StatusCode.InvalidArgument, rejection?.Code);
        Assert.Equal("headers[\"x-a\"]: value contains a control character", rejection?.Message);
    }
}
