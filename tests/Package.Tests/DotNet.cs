using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace PromptOps.Package.Tests;

/// <summary>Runs the <c>dotnet</c> CLI as a user would, capturing its output.</summary>
internal static class DotNet
{
    public static string RepositoryRoot { get; } = typeof(DotNet).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // The child is a user's build, not part of this test run's build: drop what `dotnet test` set for us.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("VSTEST_HOST_DEBUG");

        // Each step said as it starts and ends (Progress): a build in a fresh project takes minutes on a loaded machine.
        var step = $"dotnet {string.Join(' ', arguments.Select(Shorten))} (in {Shorten(workingDirectory)})";
        Progress.Report(step + " ...");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, output);
        var stderr = PumpAsync(process.StandardError, output);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await Task.WhenAll(stdout, stderr);
            Progress.Report($"{step}: timed out after {clock.Elapsed.TotalSeconds:F0} s");
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in {timeout}:\n{output}");
        }

        await Task.WhenAll(stdout, stderr);
        Progress.Report($"{step}: exit {process.ExitCode} in {clock.Elapsed.TotalSeconds:F0} s");
        return (process.ExitCode, output.ToString());
    }

    /// <summary>A path in the repository or under the temporary folder shown relative to it (the lines stay readable).</summary>
    private static string Shorten(string text)
    {
        var root = RepositoryRoot.TrimEnd(Path.DirectorySeparatorChar);
        if (text.TrimEnd(Path.DirectorySeparatorChar) == root) return "the repository";
        if (text.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return text[(root.Length + 1)..];
        var temp = Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return text.StartsWith(temp, StringComparison.Ordinal) ? text[temp.Length..] : text;
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder output)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (output) output.AppendLine(line);
        }
    }
}
