using Grpc.Core;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>A server with <c>Wal:Targets:Http:AllowedHosts</c>: http targets may name only those hosts.</summary>
public sealed class AllowedHostsTests : ServerTest
{
    public AllowedHostsTests(WalServerFactory factory)
        : base(factory)
    {
        factory.Settings["Wal:Targets:Http:AllowedHosts:0"] = "127.0.0.1";
        factory.Settings["Wal:Targets:Http:AllowedHosts:1"] = "*.allowed.test";
    }

    [Fact]
    public async Task ANamespaceNamingAnotherHostIsRefusedNamingTheFieldAndTheSetting()
    {
        var other = Namespaces.Http("http://orders.elsewhere.test/apply");
        var byName = Namespaces.Http(Target.Url("/ok").Replace("127.0.0.1", "localhost", StringComparison.Ordinal));

        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => CreateAsync(other), "config.target.http.url: host 'orders.elsewhere.test' is not allowed by the server's Wal:Targets:Http:AllowedHosts");
        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => CreateAsync(byName), "host 'localhost' is not allowed");
        await AssertRpcErrorAsync(StatusCode.NotFound, () => Wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = other.Name }, cancellationToken: Ct).ResponseAsync);
    }

    [Fact]
    public async Task ANamespaceNamingAnAllowedHostIsCreatedAndDelivers()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/ok")));
        var wildcard = await CreateAsync(Namespaces.Http("http://orders.allowed.test/apply"));

        var id = await WriteDurableAsync(ns.Name, "hello");
        var received = await Target.WaitForAppliedAsync(id, Deadline);

        Assert.Equal(ns.Name, received.Headers["wal-namespace"]);
        Assert.Equal(wildcard.Name, (await Wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = wildcard.Name }, cancellationToken: Ct)).Config.Name);
    }

    [Fact]
    public async Task ATargetOverrideNamingAnotherHostIsRefusedAndAnAllowedOneDelivered()
    {
        var ns = Namespaces.Noop();
        ns.AllowTargetOverride = true;
        await CreateAsync(ns);
        WriteToLogRequest Override(string url) => new() { Namespace = ns.Name, Target = new Target { Http = new HttpTarget { Url = url } } };

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Log.WriteToLogAsync(Override("http://attacker.test/collect"), cancellationToken: Ct).ResponseAsync,
            "target.http.url: host 'attacker.test' is not allowed by the server's Wal:Targets:Http:AllowedHosts");
        var allowed = await Wal.Log.WriteToLogAsync(Override(Target.Url("/ok")), cancellationToken: Ct);
        var received = await Target.WaitForAppliedAsync(allowed.MessageId, Deadline);

        Assert.Equal(Trilean.True, allowed.Durable);
        Assert.Equal(allowed.MessageId, received.MessageId);
    }
}
