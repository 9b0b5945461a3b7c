using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using WalService.Api.V1;
using WalService.Targets.Http;

namespace WalService.UnitTests.Targets;

public sealed class HttpTargetOptionsTests
{
    private static HttpTargetOptions Allowing(params string[] hosts)
    {
        var options = new HttpTargetOptions();
        options.AllowedHosts.AddRange(hosts);
        return options;
    }

    private static List<string> Problems(HttpTargetOptions options) =>
        [.. options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage ?? string.Empty)];

    [Fact]
    public void AnEmptyListAllowsAnyHost()
    {
        Assert.True(new HttpTargetOptions().IsAllowed("anything.example"));
    }

    [Theory]
    [InlineData("orders.internal", true)]
    [InlineData("ORDERS.Internal", true)]
    [InlineData("orders.internal.", true)]
    [InlineData("a.orders.internal", false)]
    [InlineData("orders.internal.evil", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("127.0.0.2", false)]
    public void ANamedHostMatchesItselfOnlyWithoutRegardToCase(string host, bool allowed)
    {
        Assert.Equal(allowed, Allowing("orders.internal", "127.0.0.1", "[::1]").IsAllowed(host));
    }

    [Theory]
    [InlineData("a.example.com", true)]
    [InlineData("a.b.example.com", true)]
    [InlineData("A.EXAMPLE.COM", true)]
    [InlineData("example.com", false)]
    [InlineData("badexample.com", false)]
    [InlineData("a.example.com.evil", false)]
    public void AWildcardMatchesSubdomainsButNotTheDomainItself(string host, bool allowed)
    {
        Assert.Equal(allowed, Allowing("*.example.com").IsAllowed(host));
    }

    [Theory]
    [InlineData("http://orders.internal")]
    [InlineData("orders.internal:8080")]
    [InlineData("orders.internal/apply")]
    [InlineData("*")]
    [InlineData("*.")]
    [InlineData("a.*.example.com")]
    [InlineData("")]
    public void AnEntryThatIsNotAHostOrPatternFailsValidationNamingTheSetting(string entry)
    {
        var problems = Problems(Allowing("ok.example", entry));

        var problem = Assert.Single(problems);
        Assert.StartsWith("Wal:Targets:Http:AllowedHosts:1 ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void HostsAndPatternsPassValidation()
    {
        Assert.Empty(Problems(Allowing("orders.internal", "*.svc.cluster.local", "10.0.0.7", "::1", "[::1]", "localhost")));
    }

    [Fact]
    public void AnHttpTargetNamingAnotherHostIsRefusedNamingTheFieldAndTheSetting()
    {
        var handler = new HttpTargetHandler(new NoClients(), TimeProvider.System, Options.Create(Allowing("*.example.com")));
        var allowed = new Target { Http = new HttpTarget { Url = "https://api.example.com/apply" } };
        var other = new Target { Http = new HttpTarget { Url = "https://evil.test/apply" } };

        Assert.Empty(handler.Validate(allowed, "config.target"));
        var problem = Assert.Single(handler.Validate(other, "config.target"));
        Assert.Equal("config.target.http.url: host 'evil.test' is not allowed by the server's Wal:Targets:Http:AllowedHosts", problem);
    }

    [Fact]
    public void TheTargetsHeadersFollowTheTargetRules()
    {
        var handler = new HttpTargetHandler(new NoClients(), TimeProvider.System, Options.Create(new HttpTargetOptions()));
        var platform = new Target { Http = new HttpTarget { Url = "http://127.0.0.1/", Headers = { ["authorization"] = "Bearer platform-secret" } } };
        var smuggling = new Target { Http = new HttpTarget { Url = "http://127.0.0.1/", Headers = { ["x"] = "1\r\nContent-Length: 0" } } };

        Assert.Empty(handler.Validate(platform, "config.target"));
        Assert.Equal("config.target.http.headers[\"x\"]: value contains a control character", Assert.Single(handler.Validate(smuggling, "config.target")));
    }

    private sealed class NoClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("validation must not send requests");
    }
}
