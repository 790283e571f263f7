using System.CommandLine;
using System.Globalization;
using PromptOps.Cli.Commands;
using Spectre.Console;

namespace PromptOps.Cli;

/// <summary>
/// The <c>promptops</c> command line. Every command writes to the given writers (so tests run it in-process);
/// a bad argument or an unreadable file ends with one line on the error writer and a non-zero exit code, never a
/// stack trace: 2 for a usage error, 1 for an input the command cannot read.
/// </summary>
public static class PromptOpsCli
{
    /// <summary>Exit code for success.</summary>
    public const int Ok = 0;

    /// <summary>Exit code for an input the command could not read or use (a missing file, a malformed ledger).</summary>
    public const int InputError = 1;

    /// <summary>Exit code for a command line that does not parse.</summary>
    public const int UsageError = 2;

    /// <summary>Runs the command line <paramref name="args"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;

        var console = CreateConsole(output);
        var root = new RootCommand("promptops — what your LLM calls cost, and how to pay less")
        {
            ReportCommand.Create(console),
            EstimateCommand.Create(console),
            SelfHostCommand.Create(console),
            PlanCommand.Create(console),
            PricesCommand.Create(console),
            CompressCommand.Create(output),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // The most specific errors first: an unknown token explains a missing command, not the other way round.
            var messages = parse.Errors.Select(e => OneLine(e.Message)).Distinct()
                .OrderBy(m => m.StartsWith("Required command", StringComparison.Ordinal) ? 1 : 0).ToList();
            await error.WriteLineAsync($"promptops: {string.Join("; ", messages)} (see 'promptops --help')").ConfigureAwait(false);
            return UsageError;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (CliInputException e)
        {
            await error.WriteLineAsync("promptops: " + e.Message).ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException or ArgumentException or InvalidOperationException)
        {
            await error.WriteLineAsync("promptops: " + OneLine(e.Message)).ConfigureAwait(false);
            return InputError;
        }
    }

    private static IAnsiConsole CreateConsole(TextWriter output)
    {
        var redirected = !ReferenceEquals(output, Console.Out) || Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        if (redirected) console.Profile.Width = 140;
        return console;
    }

    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}

/// <summary>An input a command cannot use; its message is the one line the user sees.</summary>
internal sealed class CliInputException(string message, int exitCode = PromptOpsCli.InputError) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
