using WalService.Server.Hosting;

// Settings files sit beside the binary, so the server finds them from any working directory; relative paths in
// them (Wal:DataDirectory) still resolve against the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddWalLogging();
builder.Services.AddWalServer(builder.Configuration);
builder.Services.AddWalTelemetry();

var app = builder.Build();

app.UseWalRequestLogging();
app.UseWalAuth();
app.MapWalGrpc();
app.MapWalOps();

app.Run();

/// <summary>The server's entry point; public so in-process tests can host it.</summary>
public partial class Program;
