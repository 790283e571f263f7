using System.Globalization;
using System.Runtime.InteropServices;

namespace PromptOps.Benchmarks.Figures;

/// <summary>The machine the figures were measured on, and its load (the READMEs state both next to the figures).</summary>
internal static class Machine
{
    /// <summary>CPU model, logical cores, OS and .NET runtime, e.g. "AMD EPYC …, 2 logical cores, Debian …, .NET 10.0.12".</summary>
    public static string Describe()
    {
        var cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").Where(l => l.StartsWith("model name", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault() ?? cpu;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{cpu}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription} {RuntimeInformation.ProcessArchitecture}");
    }

    /// <summary>The 1-minute load average (Linux), or null where the system does not publish it.</summary>
    public static double? LoadAverage()
    {
        if (!File.Exists("/proc/loadavg")) return null;
        var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : null;
    }
}

/// <summary>Load averages seen while a figure was measured (sampled every second on a background timer).</summary>
internal sealed class LoadRecorder : IDisposable
{
    private readonly Timer _timer;
    private readonly List<double> _samples = [];

    public LoadRecorder()
    {
        Sample();
        _timer = new Timer(_ => Sample(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>"load average 1.9–3.4 on 2 cores" (the 1-minute average's range during the run).</summary>
    public string Describe()
    {
        Sample();
        lock (_samples)
        {
            return _samples.Count == 0
                ? "load average not available"
                : string.Create(CultureInfo.InvariantCulture, $"load average {_samples.Min():F1}–{_samples.Max():F1} on {Environment.ProcessorCount} cores");
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        if (Machine.LoadAverage() is not { } load) return;
        lock (_samples) _samples.Add(load);
    }
}
