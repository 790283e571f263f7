using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace PromptOps.Benchmarks.Figures;

/// <summary>
/// Figures that a test, the sample or a script computes (costs, token counts, package sizes, the test command's time):
/// the command is run as a child process from the repository root, and the block is taken from what it prints, in
/// either of two forms:
/// <list type="bullet">
/// <item>lines tagged <c>[figures:NAME:KEY] text</c> anywhere in a line (a test's output under dotnet test's detailed
/// console logger is indented): the texts, sorted by KEY (ordinal), repeated lines printed once — so several tests can
/// each print their rows of one table, header rows included, and the order does not depend on which test ran first;</item>
/// <item>the lines between <c>&lt;!-- figures:NAME --&gt;</c> and <c>&lt;!-- /figures:NAME --&gt;</c> (what the sample
/// prints with <c>--markdown</c>).</item>
/// </list>
/// The command must succeed: a failing test gives no figures.
/// </summary>
internal static partial class ResultFigures
{
    /// <summary>Set for the command's process: its tests print their figures without checking the README against them.</summary>
    public const string RegeneratingVariable = "PROMPTOPS_FIGURES_REGENERATING";

    [GeneratedRegex(@"\[figures:([a-z0-9-]+):([^\]\s]+)\] ?(.*?)\s*$")]
    private static partial Regex Tagged();

    /// <summary>Runs <paramref name="command"/> and returns the block named <paramref name="name"/> it printed.</summary>
    public static async Task<FigureOutput> RunAsync(string name, IReadOnlyList<string> command, TimeSpan timeout)
    {
        // The tests that check their README block against what they measure skip that check while the block is being
        // regenerated from their output (tests/Shared/ReadmeFigure.cs).
        var text = await RunCommandAsync(command, timeout, new Dictionary<string, string> { [RegeneratingVariable] = name }).ConfigureAwait(false);
        return new FigureOutput(Extract(name, text) ?? throw new InvalidOperationException($"`{Describe(command)}` printed no figures:{name} lines:\n{Tail(text)}"), []);
    }

    /// <summary>
    /// Runs <paramref name="command"/> from the repository root and returns what it printed (standard output and error,
    /// in order); throws when it fails or runs longer than <paramref name="timeout"/> — no figures come from a failed run.
    /// </summary>
    public static async Task<string> RunCommandAsync(IReadOnlyList<string> command, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = FiguresCommand.RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1)) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var printed = new StringBuilder();
        using var process = new Process { StartInfo = start };
        void Collect(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (printed) printed.Append(e.Data).Append('\n');
        }

        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        if (!process.Start()) throw new InvalidOperationException($"Could not start `{Describe(command)}`.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"`{Describe(command)}` ran longer than {timeout.TotalMinutes:0} minutes:\n{Tail(printed.ToString())}");
            }
        }

        process.WaitForExit(); // drains the redirected streams
        var text = printed.ToString();
        return process.ExitCode == 0 ? text : throw new InvalidOperationException($"`{Describe(command)}` failed (exit {process.ExitCode}); no figures are taken from a failed run:\n{Tail(text)}");
    }

    /// <summary>The block named <paramref name="name"/> in <paramref name="printed"/> (either form), or null when there is none.</summary>
    public static string? Extract(string name, string printed)
    {
        ArgumentNullException.ThrowIfNull(printed);
        var lines = printed.Split('\n');
        var open = Array.FindIndex(lines, l => l.TrimEnd() == $"<!-- figures:{name} -->");
        if (open >= 0)
        {
            var close = Array.FindIndex(lines, open + 1, l => l.TrimEnd() == $"<!-- /figures:{name} -->");
            if (close < 0) throw new FormatException($"figures:{name} is opened in the output and never closed.");
            return string.Join('\n', lines[(open + 1)..close].Select(l => l.TrimEnd())) + "\n";
        }

        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var m = Tagged().Match(line);
            if (!m.Success || m.Groups[1].Value != name) continue;
            var key = m.Groups[2].Value;
            var row = m.Groups[3].Value;
            if (rows.TryGetValue(key, out var earlier) && earlier != row)
            {
                throw new FormatException($"figures:{name}: key {key} was printed with two different lines:\n{earlier}\n{row}");
            }

            rows[key] = row;
        }

        return rows.Count == 0 ? null : string.Join('\n', rows.Values) + "\n";
    }

    /// <summary>How a command is shown in the README's stamp: arguments with spaces or quotes quoted as a shell would need.</summary>
    public static string Describe(IEnumerable<string> command) =>
        string.Join(' ', command.Select(a => a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./~=:,".Contains(c, StringComparison.Ordinal)) ? a : $"\"{a.Replace("\"", "\\\"", StringComparison.Ordinal)}\""));

    private static string Tail(string text)
    {
        var lines = text.TrimEnd().Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 60)));
    }
}
