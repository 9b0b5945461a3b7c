using Grpc.Core;
using WalService.Api.V1;

namespace WalService.IntegrationTests.Security;

/// <summary>
/// Who may call what, over TLS, by API key and by client certificate: admins administer, a namespace's
/// allowed_clients write to it and read its statuses (admins read any status), and a call without identity is
/// UNAUTHENTICATED everywhere.
/// </summary>
public sealed class AuthorizationMatrixTests(AuthorizationMatrixFixture fixture) : IClassFixture<AuthorizationMatrixFixture>
{
    private static readonly string[] AdminRpcs = ["CreateNamespace", "UpdateNamespace", "DeleteNamespace", "ListDeadLetters", "PurgeDeadLetters", "RedriveDeadLetters"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string, StatusCode> Matrix()
    {
        var rows = new TheoryData<string, string, string, StatusCode>();
        foreach (var credential in new[] { "api-key", "certificate" })
        {
            foreach (var rpc in AdminRpcs)
            {
                rows.Add(credential, "admin", rpc, StatusCode.OK);
                rows.Add(credential, "writer", rpc, StatusCode.PermissionDenied);
                rows.Add(credential, "reader", rpc, StatusCode.PermissionDenied);
            }

            rows.Add(credential, "admin", "WriteToLog", StatusCode.PermissionDenied);
            rows.Add(credential, "writer", "WriteToLog", StatusCode.OK);
            rows.Add(credential, "reader", "WriteToLog", StatusCode.PermissionDenied);
            rows.Add(credential, "admin", "GetMessageStatus", StatusCode.OK);
            rows.Add(credential, "writer", "GetMessageStatus", StatusCode.OK);
            rows.Add(credential, "reader", "GetMessageStatus", StatusCode.PermissionDenied);
        }

        foreach (var rpc in AdminRpcs.Append("WriteToLog").Append("GetMessageStatus"))
        {
            rows.Add("none", "none", rpc, StatusCode.Unauthenticated);
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task EachIdentityGetsItsAnswerForEachCall(string credential, string identity, string rpc, StatusCode expected)
    {
        var clients = credential switch
        {
            "api-key" => fixture.Server.Clients(apiKey: Key(identity)),
            "certificate" => fixture.Server.Clients(certificate: fixture.Certificate(identity)),
            _ => fixture.Server.Clients(),
        };
        var call = await ArrangeAsync(rpc, clients);

        var (code, detail) = await OutcomeAsync(call);

        Assert.True(expected == code, $"{rpc} as {identity} by {credential}: expected {expected}, got {code} ({detail})");
        var explanation = (code, rpc) switch
        {
            (StatusCode.Unauthenticated, _) => "no client identity",
            (StatusCode.PermissionDenied, "WriteToLog" or "GetMessageStatus") => "allowed_clients",
            (StatusCode.PermissionDenied, _) => "Wal:Auth:Admins",
            _ => string.Empty,
        };
        Assert.Contains(explanation, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASelfSignedCertificateNamingTheAdminIsUnauthenticated()
    {
        var clients = fixture.Server.Clients(certificate: fixture.Certificates.SelfSigned("admin"));

        var (create, createDetail) = await OutcomeAsync(() => clients.Admin.CreateNamespaceAsync(
            new CreateNamespaceRequest { Config = AuthorizationMatrixFixture.Config(Namespaces.UniqueName("rogue")) }, cancellationToken: Ct).ResponseAsync);
        var (write, _) = await OutcomeAsync(() => clients.Log.WriteToLogAsync(new WriteToLogRequest { Namespace = fixture.WritersNamespace }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, create);
        Assert.Contains("client certificate refused", createDetail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, write);
        Assert.Contains(fixture.Server.Logs.Lines, l => l.EventId == 4000 && l.Text.Contains("(certificate)", StringComparison.Ordinal));
    }

    private static string Key(string identity) => identity switch
    {
        "admin" => AuthorizationMatrixFixture.AdminKey,
        "writer" => AuthorizationMatrixFixture.WriterKey,
        _ => AuthorizationMatrixFixture.ReaderKey,
    };

    /// <summary>Prepares what the call needs (a namespace of its own to update or delete) and returns the call.</summary>
    private async Task<Func<Task>> ArrangeAsync(string rpc, (WriteAheadLog.WriteAheadLogClient Log, NamespaceAdmin.NamespaceAdminClient Admin) clients)
    {
        var ns = fixture.WritersNamespace;
        switch (rpc)
        {
            case "CreateNamespace":
                return () => clients.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = AuthorizationMatrixFixture.Config(Namespaces.UniqueName("created")) }, cancellationToken: Ct).ResponseAsync;
            case "UpdateNamespace":
            case "DeleteNamespace":
                var own = AuthorizationMatrixFixture.Config(Namespaces.UniqueName("own"));
                await fixture.Server.Clients(apiKey: AuthorizationMatrixFixture.AdminKey).Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = own }, cancellationToken: Ct);
                own.MaxPayloadBytes = 4096;
                return rpc == "UpdateNamespace"
                    ? () => clients.Admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = own, ExpectedVersion = 1 }, cancellationToken: Ct).ResponseAsync
                    : () => clients.Admin.DeleteNamespaceAsync(new DeleteNamespaceRequest { Name = own.Name, Force = true }, cancellationToken: Ct).ResponseAsync;
            case "ListDeadLetters":
                return () => clients.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns }, cancellationToken: Ct).ResponseAsync;
            case "PurgeDeadLetters":
                return () => clients.Admin.PurgeDeadLettersAsync(new PurgeDeadLettersRequest { Namespace = ns }, cancellationToken: Ct).ResponseAsync;
            case "RedriveDeadLetters":
                return () => clients.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = ns }, cancellationToken: Ct).ResponseAsync;
            case "WriteToLog":
                return () => clients.Log.WriteToLogAsync(new WriteToLogRequest { Namespace = ns }, cancellationToken: Ct).ResponseAsync;
            default:
                return () => clients.Log.GetMessageStatusAsync(new GetMessageStatusRequest { Namespace = ns, MessageId = fixture.MessageId }, cancellationToken: Ct).ResponseAsync;
        }
    }

    private static async Task<(StatusCode Code, string Detail)> OutcomeAsync(Func<Task> call)
    {
        try
        {
            await call();
            return (StatusCode.OK, string.Empty);
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.Status.Detail);
        }
    }
}
