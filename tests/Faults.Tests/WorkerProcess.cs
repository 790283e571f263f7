using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace PromptOps.Faults.Tests;

/// <summary>
/// One FaultWorker process (an application instance): started with <c>dotnet PromptOps.FaultWorker.dll …</c> (built
/// before the tests, never at run time), read line by line, driven through its gates on stdin.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    /// <summary>Guards against a hung worker only (the test fails with its output); nothing is asserted about time.</summary>
    private static readonly JsonSerializerOptions SummaryJson = new() { PropertyNameCaseInsensitive = true };

    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _log = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    public static string WorkerPath { get; } = typeof(WorkerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "FaultWorkerPath").Value!;

    private WorkerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _stdout = PumpAsync(process.StandardOutput, toChannel: true);
        _stderr = PumpAsync(process.StandardError, toChannel: false);
    }

    public string Name { get; }

    /// <summary>Every line the worker wrote (stdout and stderr), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    public static WorkerProcess Start(string name, int port, string prefix, string scenario, int requests, int seed, long clockMs, int timeoutMs)
    {
        if (!File.Exists(WorkerPath)) throw new FileNotFoundException($"The fault worker is not built at {WorkerPath}: build the solution (or tests/Faults.Tests) first.", WorkerPath);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WorkerPath);
        foreach (var (key, value) in new (string, object)[]
                 {
                     ("port", port), ("prefix", prefix), ("scenario", scenario), ("requests", requests), ("seed", seed), ("name", name),
                     ("clock", clockMs), ("timeout-ms", timeoutMs),
                 })
        {
            start.ArgumentList.Add("--" + key);
            start.ArgumentList.Add(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return new WorkerProcess(name, Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Reads lines until one equals <paramref name="line"/> (the lines before it stay in the log).</summary>
    public async Task WaitForAsync(string line)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        try
        {
            while (true)
            {
                var next = await _lines.Reader.ReadAsync(guard.Token);
                if (next == line) return;
                if (next.StartsWith("summary ", StringComparison.Ordinal))
                    throw new InvalidOperationException($"Worker {Name} finished while '{line}' was expected:\n{Log}");
            }
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"Worker {Name} exited while '{line}' was expected:\n{Log}");
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Worker {Name} did not write '{line}' within the hang guard:\n{Log}");
        }
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the summary line and the exit; returns the summary.</summary>
    public async Task<WorkerSummary> FinishAsync()
    {
        using var guard = new CancellationTokenSource(HangGuard);
        string? summary = null;
        try
        {
            while (await _lines.Reader.WaitToReadAsync(guard.Token))
            {
                while (_lines.Reader.TryRead(out var next))
                {
                    if (next.StartsWith("summary ", StringComparison.Ordinal)) summary = next["summary ".Length..];
                }
            }

            await _process.WaitForExitAsync(guard.Token);
            await Task.WhenAll(_stdout, _stderr);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Worker {Name} did not finish within the hang guard:\n{Log}");
        }

        Assert.True(_process.ExitCode == 0, $"Worker {Name} exited with {_process.ExitCode}:\n{Log}");
        Assert.True(summary is not null, $"Worker {Name} wrote no summary:\n{Log}");
        return JsonSerializer.Deserialize<WorkerSummary>(summary!, SummaryJson) ?? throw new InvalidOperationException("Empty summary.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader, bool toChannel)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_log) _log.AppendLine((toChannel ? "" : "[err] ") + line);
            if (toChannel) await _lines.Writer.WriteAsync(line);
        }

        if (toChannel) _lines.Writer.TryComplete();
    }
}

/// <summary>The worker's final JSON line (see tests/FaultWorker/Program.cs).</summary>
internal sealed record WorkerSummary(
    string Name, string Scenario, int Requests, int Calls, int Drained, int Bills, long BilledNano, long SettledNano, int Cancelled, int Abandoned,
    int OverReported, long OverExpectedNano, long OverMetricCount, long OverMetricNano, int OverLogged,
    Dictionary<string, int> Refusals, string[] Errors, Dictionary<string, long>? BilledByUser = null, Dictionary<string, long>? BilledByTenant = null,
    string[]? Alerts = null, long SpikeStartMs = 0, string[]? AnomalyAlerts = null, long SpikeRefusedAtMs = 0, long[]? SpikeBilledSentAtMs = null);
