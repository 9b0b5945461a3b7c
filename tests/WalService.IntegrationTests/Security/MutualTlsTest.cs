namespace WalService.IntegrationTests.Security;

/// <summary>
/// A test against the real server on a TLS listener that requires client certificates from the test CA, with
/// <c>ops</c> as its admin.
/// </summary>
public abstract class MutualTlsTest : IAsyncLifetime
{
    internal TestCertificates Certificates { get; } = new();

    internal AuthServer Server { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual ValueTask InitializeAsync()
    {
        Server = new AuthServer(
            [
                new("Wal:Auth:ClientCertificates:Mode", "Require"),
                new("Wal:Auth:ClientCertificates:CaPath", Certificates.CaPath),
                new("Wal:Auth:Admins:0", "ops"),
            ],
            Certificates);
        Server.Start();
        return ValueTask.CompletedTask;
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Certificates.Dispose();
        GC.SuppressFinalize(this);
    }
}
