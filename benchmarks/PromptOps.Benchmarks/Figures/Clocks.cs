using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PromptOps.Benchmarks.Figures;

/// <summary>What a sample's time is measured with.</summary>
internal enum Clock
{
    /// <summary>Elapsed time (<see cref="Stopwatch"/>): for operations that wait (I/O, a round trip) or whose claim is a throughput.</summary>
    Wall,

    /// <summary>
    /// CPU time of the calling thread (<c>CLOCK_THREAD_CPUTIME_ID</c>): for work done on the calling thread. Time the thread
    /// spends waiting for a core on an overloaded machine is not counted, which wall time would add to whichever
    /// operation happened to be descheduled.
    /// </summary>
    ThreadCpu,

    /// <summary>CPU time of the whole process (<c>CLOCK_PROCESS_CPUTIME_ID</c>): for work that may use other threads (including the GC's).</summary>
    ProcessCpu,
}

/// <summary>Reads the clocks of <see cref="Clock"/> in seconds (POSIX <c>clock_gettime</c>; Linux and macOS).</summary>
internal static partial class Clocks
{
    private const int ClockProcessCpuTimeId = 2;
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>The current reading of <paramref name="clock"/>, in seconds from an arbitrary origin.</summary>
    public static double Now(Clock clock) => clock switch
    {
        Clock.Wall => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency,
        Clock.ThreadCpu => Read(ClockThreadCpuTimeId),
        Clock.ProcessCpu => Read(ClockProcessCpuTimeId),
        _ => throw new ArgumentOutOfRangeException(nameof(clock), clock, "Unknown clock."),
    };

    /// <summary>How a table names what it measured: "wall time", "thread CPU time", "process CPU time".</summary>
    public static string Describe(Clock clock) => clock switch
    {
        Clock.Wall => "wall time",
        Clock.ThreadCpu => "CPU time of the calling thread",
        _ => "CPU time of the process (all threads)",
    };

    private static double Read(int id)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) throw new PlatformNotSupportedException("CPU-time clocks need clock_gettime (Linux or macOS).");
        return ClockGetTime(id, out var ts) == 0
            ? ts.Seconds + (ts.Nanoseconds / 1e9)
            : throw new InvalidOperationException($"clock_gettime({id}) failed: errno {Marshal.GetLastPInvokeError()}.");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clockId, out Timespec value);
}
