using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Administration;
using WalService.Core.FrontDoor;
using WalService.Core.Model;

namespace WalService.UnitTests.Administration;

public sealed class MessageStatusReaderTests
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnAppliedMessageIsStillAnsweredAtTheLastInstantOfItsDedupWindow()
    {
        await using var core = new AdministrationServices(StatusBackend(Applied(out var appliedAt)));
        await RegisterAsync(core, Config());
        core.Time.SetUtcNow(appliedAt + Window);

        var status = await core.Statuses.GetAsync("orders", "m1", null, anyNamespace: false, Ct);

        Assert.Equal(MessageState.Applied, status.State);
    }

    [Fact]
    public async Task AnAppliedMessageTheBackendStillHoldsIsNotFoundOnceItsDedupWindowHasPassed()
    {
        await using var core = new AdministrationServices(StatusBackend(Applied(out var appliedAt)));
        await RegisterAsync(core, Config());
        core.Time.SetUtcNow(appliedAt + Window + TimeSpan.FromMilliseconds(1));

        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Statuses.GetAsync("orders", "m1", null, anyNamespace: false, Ct));

        Assert.Equal(StatusCode.NotFound, refused.Code);
        Assert.Equal("message_id 'm1' is unknown in namespace 'orders' or older than its dedup_window", refused.Message);
    }

    [Fact]
    public void AMessageNotYetAppliedIsNeverForgottenHowLongAgoItWasWritten()
    {
        var ns = NamespaceSettings.From(new Namespace { Config = Config() });
        var retrying = new MessageStatus { MessageId = "m1", State = MessageState.RetryScheduled };

        var forgotten = MessageStatusReader.Forgotten(retrying, ns, DateTimeOffset.UnixEpoch + (100 * Window));

        Assert.False(forgotten);
    }

    [Fact]
    public async Task AStatusReadOnABackendTheServerLacksAnswersUnimplementedNamingTheBackend()
    {
        await using var core = new AdministrationServices();
        var config = Config();
        config.Kafka = new KafkaBackend();
        await RegisterAsync(core, config);

        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Statuses.GetAsync("orders", "m1", null, anyNamespace: false, Ct));

        Assert.Equal(StatusCode.Unimplemented, refused.Code);
        Assert.Equal("namespace 'orders' uses the kafka backend, which this server does not provide yet", refused.Message);
    }

    [Fact]
    public async Task AClientOutsideAllowedClientsIsRefusedWhileOneWhoMayReadEveryNamespaceIsNot()
    {
        await using var core = new AdministrationServices(StatusBackend(Applied(out var appliedAt)));
        var config = Config();
        config.AllowedClients.Add("billing");
        await RegisterAsync(core, config);
        core.Time.SetUtcNow(appliedAt);

        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Statuses.GetAsync("orders", "m1", "shipping", anyNamespace: false, Ct));
        var status = await core.Statuses.GetAsync("orders", "m1", "shipping", anyNamespace: true, Ct);

        Assert.Equal(StatusCode.PermissionDenied, refused.Code);
        Assert.Equal("client 'shipping' is not in allowed_clients of namespace 'orders'", refused.Message);
        Assert.Equal("m1", status.MessageId);
    }

    [Fact]
    public async Task ANamespaceThatKeepsNoStatusRefusesTheReadWithoutAskingItsBackend()
    {
        var (backend, script) = ScriptedBackend.Create();
        await using var core = new AdministrationServices(backend);
        var config = Config();
        config.TrackStatus = false;
        await RegisterAsync(core, config);

        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => core.Statuses.GetAsync("orders", "m1", null, anyNamespace: false, Ct));

        Assert.Equal(StatusCode.FailedPrecondition, refused.Code);
        Assert.DoesNotContain("GetStatusAsync", script.Calls);
    }

    private static NamespaceConfig Config() => new()
    {
        Name = "orders",
        Target = new Target { Noop = new NoopTarget() },
        DedupWindow = Duration.FromTimeSpan(Window),
    };

    private static MessageStatus Applied(out DateTimeOffset appliedAt)
    {
        appliedAt = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
        return new MessageStatus { MessageId = "m1", State = MessageState.Applied, AppliedAt = Timestamp.FromDateTimeOffset(appliedAt) };
    }

    /// <summary>A backend still holding <paramref name="status"/> whatever the time: the dedup window is the reader's to apply.</summary>
    private static Core.Abstractions.ILogBackend StatusBackend(MessageStatus status) =>
        ScriptedBackend.Create(("GetStatusAsync", _ => Task.FromResult<MessageStatus?>(status))).Backend;

    /// <summary>Registers the namespace in the store as an administrator on another instance would.</summary>
    private static Task<Namespace> RegisterAsync(AdministrationServices core, NamespaceConfig config) =>
        core.Store.CreateAsync(config, core.Time.GetUtcNow(), Ct);
}
