using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

public sealed class NamespaceAdminTests(WalServerFactory factory) : ServerTest(factory)
{
    [Fact]
    public async Task CreateAnswersTheNamespaceAtVersionOneAndRefusesTheSameNameTwice()
    {
        var config = Namespaces.Noop();

        var created = await Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        var fetched = await Wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = config.Name }, cancellationToken: Ct);

        Assert.Equal(1, created.Version);
        Assert.Equal(NamespaceState.Active, created.State);
        Assert.Equal(config, fetched.Config);
        Assert.NotNull(fetched.CreatedAt);
        await AssertRpcErrorAsync(StatusCode.AlreadyExists, () => Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct).ResponseAsync);
    }

    [Fact]
    public async Task AnInvalidConfigNamesEveryViolation()
    {
        var config = new NamespaceConfig { Name = "Not Valid", MaxPayloadBytes = -1 };

        var error = await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct).ResponseAsync);

        Assert.Contains("config.name", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("config.target", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("config.max_payload_bytes", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListPagesThroughEveryNamespaceInNameOrder()
    {
        var prefix = Namespaces.UniqueName("page");
        var names = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var config = Namespaces.Noop();
            config.Name = $"{prefix}-{i}";
            names.Add((await CreateAsync(config)).Name);
        }

        var seen = new List<string>();
        var token = string.Empty;
        var pages = 0;
        do
        {
            var page = await Wal.Admin.ListNamespacesAsync(new ListNamespacesRequest { PageSize = 2, PageToken = token }, cancellationToken: Ct);
            Assert.InRange(page.Namespaces.Count, 0, 2);
            seen.AddRange(page.Namespaces.Select(n => n.Config.Name));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(names, seen.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.True(pages >= 3);
    }

    [Fact]
    public async Task UpdateWithAStaleVersionIsAbortedAndTheWinnerStays()
    {
        var config = await CreateAsync(Namespaces.Noop());
        var first = config.Clone();
        first.MaxPayloadBytes = 100;
        var second = config.Clone();
        second.MaxPayloadBytes = 200;

        var updated = await Wal.Admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = first, ExpectedVersion = 1 }, cancellationToken: Ct);
        await AssertRpcErrorAsync(StatusCode.Aborted, () => Wal.Admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = second, ExpectedVersion = 1 }, cancellationToken: Ct).ResponseAsync, "version 2");
        var current = await Wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = config.Name }, cancellationToken: Ct);

        Assert.Equal(2, updated.Version);
        Assert.Equal(100, current.Config.MaxPayloadBytes);
    }

    [Fact]
    public async Task UpdateOfAnUnknownNamespaceIsNotFound()
    {
        var config = Namespaces.Noop();

        await AssertRpcErrorAsync(StatusCode.NotFound, () => Wal.Admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = config, ExpectedVersion = 1 }, cancellationToken: Ct).ResponseAsync);
    }

    [Fact]
    public async Task DeleteRefusesWhileMessagesArePendingUnlessForced()
    {
        var config = await CreateAsync(Namespaces.Noop());
        await WriteDurableAsync(config.Name, "later", new WalWriteOptions { Delay = TimeSpan.FromHours(1) });

        await AssertRpcErrorAsync(StatusCode.FailedPrecondition, () => Wal.Admin.DeleteNamespaceAsync(new DeleteNamespaceRequest { Name = config.Name }, cancellationToken: Ct).ResponseAsync, "1 messages");
        await Wal.Admin.DeleteNamespaceAsync(new DeleteNamespaceRequest { Name = config.Name, Force = true }, cancellationToken: Ct);

        await AssertRpcErrorAsync(StatusCode.NotFound, () => Wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = config.Name }, cancellationToken: Ct).ResponseAsync);
        await AssertRpcErrorAsync(StatusCode.NotFound, () => Wal.WriteAsync(config.Name, new byte[1], cancellationToken: Ct));
    }

    [Fact]
    public async Task PausedNamespaceTakesWritesButDeliversOnlyAfterResume()
    {
        var config = await CreateAsync(Namespaces.Http(Target.Url("/ok")));

        var paused = await Wal.Admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = config.Name }, cancellationToken: Ct);
        var id = await WriteDurableAsync(config.Name, "held");
        var marker = await CreateAsync(Namespaces.Http(Target.Url("/ok")));
        await Target.WaitForAppliedAsync(await WriteDurableAsync(marker.Name, "marker"), Deadline);
        Assert.Empty(Target.For(id));
        Assert.Equal(MessageState.Pending, (await Wal.GetStatusAsync(config.Name, id, Ct)).State);

        var resumed = await Wal.Admin.ResumeNamespaceAsync(new ResumeNamespaceRequest { Name = config.Name }, cancellationToken: Ct);
        await Target.WaitForAppliedAsync(id, Deadline);

        Assert.Equal(NamespaceState.Paused, paused.State);
        Assert.Equal(NamespaceState.Active, resumed.State);
        Assert.True(resumed.Version > paused.Version);
    }

    [Fact]
    public async Task APauseAnswersOnceTheDeliveryUnderWayIsAppliedAndNoneFollows()
    {
        var config = await CreateAsync(Namespaces.Http(Target.Url("/slow/1000")));
        var underWay = await WriteDurableAsync(config.Name, "under way");
        await Eventually.WaitAsync(() => Target.For(underWay).Count > 0, Deadline, "the delivery to start");

        await Wal.Admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = config.Name }, cancellationToken: Ct);
        var applied = await Wal.GetStatusAsync(config.Name, underWay, Ct);
        var held = await WriteDurableAsync(config.Name, "held");
        var marker = await CreateAsync(Namespaces.Http(Target.Url("/ok")));
        await Target.WaitForAppliedAsync(await WriteDurableAsync(marker.Name, "marker"), Deadline);

        Assert.Equal(MessageState.Applied, applied.State);
        Assert.Empty(Target.For(held));
    }

    [Fact]
    public async Task AConfigChangeReachesTheRunningConsumersWithinTwoSeconds()
    {
        var config = await CreateAsync(Namespaces.Http(Target.Url("/status/400"), maxAttempts: 1));
        var before = await WriteDurableAsync(config.Name, "before");
        await WaitForStateAsync(config.Name, before, MessageState.DeadLettered);

        var changed = config.Clone();
        changed.Target.Http.Url = Target.Url("/ok");
        changed.Retry.InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(10));
        await Wal.Admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = changed, ExpectedVersion = 1 }, cancellationToken: Ct);
        var changedAt = DateTimeOffset.UtcNow;
        var after = await WriteDurableAsync(config.Name, "after");
        var received = await Target.WaitForAppliedAsync(after, Deadline);

        Assert.Equal("/ok", received.Path);
        Assert.InRange(received.ReceivedAt - changedAt, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task DeadLettersArePaged()
    {
        var config = await CreateAsync(Namespaces.Http(Target.Url("/status/400")));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = await WriteDurableAsync(config.Name, $"d{i}");
            await WaitForStateAsync(config.Name, id, MessageState.DeadLettered);
            ids.Add(id);
        }

        var first = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = config.Name, PageSize = 2 }, cancellationToken: Ct);
        var second = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = config.Name, PageSize = 2, PageToken = first.NextPageToken }, cancellationToken: Ct);

        Assert.Equal(ids, first.DeadLetters.Concat(second.DeadLetters).Select(d => d.MessageId));
        Assert.Empty(second.NextPageToken);
        Assert.All(first.DeadLetters, d => Assert.Equal(1, d.Attempts));
    }
}
