using Grpc.Core;

namespace WalService.Bench;

/// <summary>The outcome of one phase. Rates count what completed inside the measured window; totals cover the whole phase.</summary>
internal sealed record PhaseResult
{
    public required string Name { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>Calls that completed successfully inside the measured window.</summary>
    public required long Calls { get; init; }

    /// <summary>Messages answered <c>durable = TRUE</c> by calls completed inside the measured window.</summary>
    public required long Messages { get; init; }

    /// <summary>Messages answered TRUE over the whole phase, warmup included: what the consumers must deliver.</summary>
    public required long TotalDurable { get; init; }

    /// <summary>Messages answered FALSE, UNKNOWN or unspecified over the whole phase.</summary>
    public required long TotalNotDurable { get; init; }

    /// <summary>Calls that failed with a gRPC status, by code, over the whole phase.</summary>
    public required IReadOnlyDictionary<StatusCode, long> Errors { get; init; }

    /// <summary>The first non-TRUE answer or error seen, for the report.</summary>
    public string? FirstProblem { get; init; }

    /// <summary>The greatest (latest) TRUE message id of the phase.</summary>
    public string? LastMessageId { get; init; }

    public required LatencySummary Latency { get; init; }

    public required ProbeSnapshot WindowOpened { get; init; }

    public required ProbeSnapshot WindowClosed { get; init; }

    /// <summary>Filled in for write phases once the backlog was watched.</summary>
    public DrainResult? Drain { get; init; }

    public double CallsPerSecond => Calls / Duration.TotalSeconds;

    public double MessagesPerSecond => Messages / Duration.TotalSeconds;

    public long ErrorCount => Errors.Values.Sum();

    /// <summary>CPU used by the bench in the window, in percent of one core (200 = both cores of a 2-core machine).</summary>
    public double ClientCpuPercent => ProbeSnapshot.CpuPercent(WindowOpened.ClientCpu, WindowClosed.ClientCpu, WindowOpened, WindowClosed) ?? 0;

    /// <summary>CPU used by the server in the window, in percent of one core; null when the bench did not start it.</summary>
    public double? ServerCpuPercent => ProbeSnapshot.CpuPercent(WindowOpened.ServerCpu, WindowClosed.ServerCpu, WindowOpened, WindowClosed);

    /// <summary>
    /// CPU used by the emulated backend in the window (the Kafka mock cluster's thread inside the bench, or the SQS
    /// emulator's process), in percent of one core; null without one.
    /// </summary>
    public double? EmulatorCpuPercent => ProbeSnapshot.CpuPercent(WindowOpened.EmulatorCpu, WindowClosed.EmulatorCpu, WindowOpened, WindowClosed);

    /// <summary>CPU of an emulator in a process of its own (not part of the bench's); 0 without one.</summary>
    public double SeparateEmulatorCpuPercent => WindowOpened.EmulatorInBench ? 0 : EmulatorCpuPercent ?? 0;

    /// <summary>CPU used by all processes of the machine in the window, in percent of one core.</summary>
    public double? MachineCpuPercent => ProbeSnapshot.CpuPercent(WindowOpened.MachineCpu, WindowClosed.MachineCpu, WindowOpened, WindowClosed);

    /// <summary>CPU used in the window by processes other than the bench, the server it started and an emulator in a process of its own; null when unknown.</summary>
    public double? OtherCpuPercent => MachineCpuPercent is { } m && ServerCpuPercent is { } s ? Math.Max(0, m - s - ClientCpuPercent - SeparateEmulatorCpuPercent) : null;

    /// <summary>Messages the consumers applied per second during the window; null without <c>/metrics</c>.</summary>
    public double? AppliedPerSecond =>
        WindowOpened.Counts is { } a && WindowClosed.Counts is { } b
            ? (b.Applied - a.Applied) / ProbeSnapshot.Elapsed(WindowOpened, WindowClosed).TotalSeconds
            : null;

    /// <summary>Written but not yet applied (nor dead-lettered) when the window closed, counted since the server started.</summary>
    public long? BacklogAtWindowEnd => WindowClosed.Counts is { } c ? c.Written - c.Applied - c.DeadLettered : null;
}
