using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>Message headers against an http target that sees the raw bytes: nothing a writer sends can change the request's framing or the platform's headers.</summary>
public sealed partial class HeaderInjectionTests(WalServerFactory factory) : ServerTest(factory)
{
    private const string PlatformSecret = "Bearer platform-secret";
    private const string Smuggling = "1\r\nContent-Length: 0\r\n\r\nDELETE /admin/everything HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    public static TheoryData<string, string> RefusedHeaderSets => new()
    {
        { "65 headers", "headers: 65 headers exceed the limit of 64" },
        { "20000 headers", "headers: 20000 headers exceed the limit of 64" },
        { "17 KiB of headers", "headers: 17408 bytes of names and values exceed the limit of 16384" },
        { "a 900 KiB value", "bytes of names and values exceed the limit of 16384" },
        { "headers and payload over max_payload_bytes", "payload (1500 bytes) and headers (1010 bytes) together are 2510 bytes; namespace '" },
        { "wal-attempt", "headers[\"wal-attempt\"]: names starting with \"wal-\" are set by the service" },
        { "empty name", "headers[\"\"]: a header name must not be empty" },
        { "bad name", "headers[\"bad name\"]: a header name must be an HTTP token" },
        { "content-type", "headers[\"content-type\"]: this header may be set by the namespace's target only" },
    };

    private Task<WriteToLogResponse> Write(WriteToLogRequest request) => Wal.Log.WriteToLogAsync(request, cancellationToken: Ct).ResponseAsync;

    [Fact]
    public async Task ACrLfInAHeaderValueIsRefusedAndTheTargetGetsExactlyOneRequestWithThePlatformSecret()
    {
        await using var target = RawHttpTarget.Start();
        var ns = Namespaces.Http(target.Url("/apply"));
        ns.Target.Http.Headers.Add("authorization", PlatformSecret);
        await CreateAsync(ns);
        WriteToLogRequest Request(string name, string value) => new() { Namespace = ns.Name, Payload = ByteString.CopyFromUtf8("apply"), Headers = { [name] = value } };

        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Write(Request("x-a", Smuggling)), "headers[\"x-a\"]: value contains a control character");
        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Write(Request("authorization", "Bearer writer")), "headers[\"authorization\"]");
        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Write(Request("Host", "admin.internal")), "headers[\"Host\"]");
        var accepted = await Write(Request("x-tenant", "eu-1"));
        await WaitForStateAsync(ns.Name, accepted.MessageId, MessageState.Applied);

        var request = Assert.Single(target.Requests);
        Assert.Equal(Trilean.True, accepted.Durable);
        Assert.Equal("POST /apply HTTP/1.1", request.RequestLine);
        Assert.Equal([PlatformSecret], request.Values("authorization"));
        Assert.Equal(["eu-1"], request.Values("x-tenant"));
        Assert.Equal([accepted.MessageId], request.Values("wal-message-id"));
        Assert.Equal("apply", System.Text.Encoding.UTF8.GetString(request.Body));
        Assert.Single(RequestLine().Matches(target.Received));
        Assert.DoesNotContain("DELETE", target.Received, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RefusedHeaderSets))]
    public async Task AHeaderSetBreakingARuleIsRefusedNamingItAndTheNamespaceStillTakesWrites(string headerSet, string expected)
    {
        var ns = Namespaces.Noop();
        ns.MaxPayloadBytes = 2000;
        await CreateAsync(ns);
        var request = new WriteToLogRequest { Namespace = ns.Name, Payload = ByteString.CopyFrom(new byte[headerSet.StartsWith("headers and payload", StringComparison.Ordinal) ? 1500 : 1]) };
        request.Headers.Add(Headers(headerSet));

        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Write(request), expected);
        var normal = await Write(new WriteToLogRequest { Namespace = ns.Name, Headers = { ["x-tenant"] = "eu-1" } });

        Assert.Equal(Trilean.True, normal.Durable);
    }

    [Fact]
    public async Task InABatchTheEntryWithABadHeaderIsRefusedAndTheGoodOneWritten()
    {
        var ns = await CreateAsync(Namespaces.Noop());
        var batch = new WriteToLogBatchRequest
        {
            Entries =
            {
                new WriteToLogRequest { Namespace = ns.Name, Headers = { ["x-a"] = Smuggling } },
                new WriteToLogRequest { Namespace = ns.Name, Headers = { ["x-a"] = "fine" } },
            },
        };

        var response = await Wal.Log.WriteToLogBatchAsync(batch, cancellationToken: Ct);

        Assert.Equal([Trilean.False, Trilean.True], response.Results.Select(r => r.Durable));
        Assert.Equal([(int)StatusCode.InvalidArgument, 0], response.Results.Select(r => r.Code));
        Assert.Equal("headers[\"x-a\"]: value contains a control character", response.Results[0].Message);
    }

    [Fact]
    public async Task ATargetOverrideCannotSetCredentialsOrInjectHeaders()
    {
        var ns = Namespaces.Noop();
        ns.AllowTargetOverride = true;
        await CreateAsync(ns);
        WriteToLogRequest Override(string name, string value) => new()
        {
            Namespace = ns.Name,
            Target = new Target { Http = new HttpTarget { Url = Target.Url("/ok"), Headers = { [name] = value } } },
        };

        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Write(Override("authorization", "Bearer writer")), "target.http.headers[\"authorization\"]");
        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Write(Override("x-a", Smuggling)), "target.http.headers[\"x-a\"]: value contains a control character");
        var allowed = await Write(Override("x-route", "blue"));
        var received = await Target.WaitForAppliedAsync(allowed.MessageId, Deadline);

        Assert.Equal("blue", received.Headers["x-route"]);
    }

    [Fact]
    public async Task ANamespacesTargetHeadersAreCheckedAtCreation()
    {
        var injected = Namespaces.Http(Target.Url("/ok"));
        injected.Target.Http.Headers.Add("x-a", Smuggling);
        var framing = Namespaces.Http(Target.Url("/ok"));
        framing.Target.Http.Headers.Add("transfer-encoding", "chunked");

        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => CreateAsync(injected), "config.target.http.headers[\"x-a\"]: value contains a control character");
        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => CreateAsync(framing), "config.target.http.headers[\"transfer-encoding\"]");
    }

    private static Dictionary<string, string> Headers(string headerSet) => headerSet switch
    {
        "65 headers" => Many(65),
        "20000 headers" => Many(20_000),
        "17 KiB of headers" => Enumerable.Range(0, 17).ToDictionary(i => $"h{i:00}", _ => new string('v', 1021)),
        "a 900 KiB value" => new() { ["x-big"] = new string('v', 900 * 1024) },
        "headers and payload over max_payload_bytes" => new() { ["x-pad"] = new string('v', 1005) },
        "empty name" => new() { [string.Empty] = "v" },
        _ => new() { [headerSet] = "v" },
    };

    private static Dictionary<string, string> Many(int count) => Enumerable.Range(0, count).ToDictionary(i => $"h{i}", _ => "v");

    [GeneratedRegex(@"^[A-Z]+ \S+ HTTP/1\.1\r$", RegexOptions.Multiline)]
    private static partial Regex RequestLine();
}
