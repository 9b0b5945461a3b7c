using System.Diagnostics;

namespace WalService.Bench;

/// <summary>
/// Where the CPU time of the emulated backend of a comparison mode comes from: librdkafka's mock cluster runs its
/// brokers on threads of the bench (<see cref="InBench"/>: its CPU is part of the bench's too), the SQS emulator runs
/// in a Node process of its own.
/// </summary>
/// <param name="InBench">Whether the emulator runs inside the bench process.</param>
/// <param name="Read">Its CPU time so far; null when it cannot be read.</param>
internal sealed record EmulatorCpu(bool InBench, Func<TimeSpan?> Read)
{
    /// <summary>The CPU time of this process's threads named <paramref name="name"/> (librdkafka's mock cluster: <c>rdk:mock</c>).</summary>
    public static EmulatorCpu Threads(string name) => new(true, () => ThreadsCpu(name));

    /// <summary>The CPU time of another process, until it exits.</summary>
    public static EmulatorCpu Of(Process process) => new(false, () =>
    {
        if (process.HasExited)
        {
            return null;
        }

        process.Refresh();
        return process.TotalProcessorTime;
    });

    /// <summary>User and system time of this process's threads named <paramref name="name"/> (fields 14 and 15 of /proc/self/task/&lt;tid&gt;/stat, in 1/100 s); null without /proc.</summary>
    private static TimeSpan? ThreadsCpu(string name)
    {
        const string tasks = "/proc/self/task";
        if (!Directory.Exists(tasks))
        {
            return null;
        }

        long ticks = 0;
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name && ProcStat.Read(Path.Combine(task, "stat")) is { } stat)
                {
                    ticks += stat.OwnTicks;
                }
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return ProcStat.Time(ticks);
    }
}
