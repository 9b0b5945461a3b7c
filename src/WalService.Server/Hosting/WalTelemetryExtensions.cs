using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using WalService.Core.Telemetry;

namespace WalService.Server.Hosting;

public static class WalTelemetryExtensions
{
    /// <summary>Serilog for every log: plain text in Development, compact JSON otherwise; levels from <c>Serilog</c> config.</summary>
    public static WebApplicationBuilder AddWalLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration).Enrich.FromLogContext();
            if (development)
            {
                logger.WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
        });
        return builder;
    }

    /// <summary>
    /// OpenTelemetry metrics of the <c>WalService</c> meter and ASP.NET Core, scraped at <c>/metrics</c>; also exported
    /// by OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static IServiceCollection AddWalTelemetry(this IServiceCollection services)
    {
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("walservice"))
            .WithMetrics(metrics => metrics
            .AddMeter(WalMetrics.MeterName)
            .AddPrometheusExporter());
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            otel.UseOtlpExporter();
        }

        return services;
    }

    /// <summary>One log line per request: failures at Error and Warning, the rest at Debug (off by default, for speed).</summary>
    public static WebApplication UseWalRequestLogging(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseSerilogRequestLogging(o => o.GetLevel = (context, _, exception) =>
            exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error
            : context.Response.StatusCode >= 400 ? LogEventLevel.Warning
            : LogEventLevel.Debug);
        return app;
    }
}
