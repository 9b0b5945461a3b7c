using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using WalService.Api.V1;

namespace WalService.IntegrationTests.Security;

/// <summary>Guessing keys: after the failure limit an address is refused unchecked, and every refusal is counted.</summary>
public sealed class AuthenticationThrottleTests
{
    private const string Key = "ops-key-91d2f0";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwentyWrongKeysFromOneAddressAreRefusedTenThenThrottledAndCounted()
    {
        await using var server = new AuthServer([AuthServer.ApiKey("ops", Key), new("Wal:Auth:Admins:0", "ops")]);
        server.Start();
        using var counts = new AuthFailureCounts(server.Services.GetRequiredService<IMeterFactory>());
        var codes = new List<StatusCode>();
        RpcException last = null!;

        for (var i = 0; i < 20; i++)
        {
            last = await Assert.ThrowsAsync<RpcException>(() => server.Clients(apiKey: $"guess-{i}").Admin
                .ListNamespacesAsync(new ListNamespacesRequest(), cancellationToken: Ct).ResponseAsync);
            codes.Add(last.StatusCode);
        }

        var rightKeyMeanwhile = await Assert.ThrowsAsync<RpcException>(() => server.Clients(apiKey: Key).Admin
            .ListNamespacesAsync(new ListNamespacesRequest(), cancellationToken: Ct).ResponseAsync);

        Assert.Equal([.. Enumerable.Repeat(StatusCode.Unauthenticated, 10), .. Enumerable.Repeat(StatusCode.ResourceExhausted, 10)], codes);
        Assert.Contains("too many failed authentications", last.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(last.Trailers.GetValue("retry-after-ms"));
        Assert.Equal(StatusCode.ResourceExhausted, rightKeyMeanwhile.StatusCode);
        Assert.Equal(10, counts["unknown_key"]);
        Assert.Equal(11, counts["throttled"]);
        Assert.Single(server.Logs.Lines, l => l.EventId == 4001);
        Assert.Equal(10, server.Logs.Lines.Count(l => l.EventId == 4000));
    }

    [Fact]
    public async Task TheThrottleLiftsAfterItsWindow()
    {
        await using var server = new AuthServer(
        [
            AuthServer.ApiKey("ops", Key),
            new("Wal:Auth:Admins:0", "ops"),
            new("Wal:Auth:FailureLimit", "2"),
            new("Wal:Auth:FailureWindow", "00:00:01"),
        ]);
        server.Start();
        var admin = server.Clients(apiKey: Key).Admin;
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => server.Clients(apiKey: "wrong").Admin
                .ListNamespacesAsync(new ListNamespacesRequest(), cancellationToken: Ct).ResponseAsync);
        }

        var throttled = await Assert.ThrowsAsync<RpcException>(() => admin.ListNamespacesAsync(new ListNamespacesRequest(), cancellationToken: Ct).ResponseAsync);
        var lifted = await TestSupport.Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    return await admin.ListNamespacesAsync(new ListNamespacesRequest(), cancellationToken: Ct);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                {
                    return null;
                }
            },
            TimeSpan.FromSeconds(10),
            "the throttle to lift");

        Assert.Equal(StatusCode.ResourceExhausted, throttled.StatusCode);
        Assert.NotNull(lifted);
    }
}
