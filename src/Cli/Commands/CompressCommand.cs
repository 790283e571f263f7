using System.CommandLine;
using System.Text;
using PromptOps.Analyzers.Compression;
using PromptOps.Tokens;

namespace PromptOps.Cli.Commands;

/// <summary>
/// <c>promptops compress</c>: the prompt compressor of PO0001's code fix (the same source file, linked into this tool)
/// on a prompt that lives in a file, a database or configuration: prints tokens before → after, the compressed prompt and
/// a line diff, or writes the result with <c>--output</c>.
/// </summary>
internal static class CompressCommand
{
    /// <summary>Where <c>-</c> reads from (the process's standard input; tests replace it).</summary>
    internal static Func<TextReader> StandardInput { get; set; } = () => Console.In;

    public static Command Create(TextWriter writer)
    {
        var input = new Argument<string?>("file") { Description = "The prompt file, or - to read the prompt from standard input (or use --text).", Arity = ArgumentArity.ZeroOrOne };
        var text = new Option<string?>("--text") { Description = "The prompt text itself." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the compressed prompt to this file (exactly, no line added)." };
        var noDiff = new Option<bool>("--no-diff") { Description = "Print the compressed prompt without the diff." };

        var command = new Command("compress", "Compress a prompt with PO0001's rules: tokens before → after, the result and a diff.") { input, text, output, noDiff };
        command.Validators.Add(r =>
        {
            var hasFile = r.GetValue(input) is not null;
            var hasText = r.GetValue(text) is not null;
            if (hasFile == hasText) r.AddError("give the prompt either as a file (- for standard input) or with --text, not both and not neither.");
        });
        command.SetAction(parse =>
        {
            var path = parse.GetValue(input);
            var prompt = parse.GetValue(text) ?? (path == "-" ? StandardInput().ReadToEnd() : Inputs.ReadText(path!));
            var source = parse.GetValue(text) is not null ? "--text" : path == "-" ? "standard input" : $"'{path}'";
            if (string.IsNullOrWhiteSpace(prompt)) throw new CliInputException($"the prompt from {source} is empty: nothing to compress.");

            var compressed = PromptCompressor.Compress(prompt);
            var before = TiktokenTokenCounter.O200k.CountTokens(prompt);
            var after = TiktokenTokenCounter.O200k.CountTokens(compressed);
            var saved = before == 0 ? 0 : 1.0 - ((double)after / before);
            writer.WriteLine($"Tokens (o200k): {before:N0} → {after:N0} ({(before - after):N0} saved, {saved:P1}).");

            var outputPath = parse.GetValue(output);
            if (outputPath is not null)
            {
                try
                {
                    File.WriteAllText(outputPath, compressed);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    throw new CliInputException($"cannot write '{outputPath}': {Inputs.Reason(e)}");
                }

                writer.WriteLine($"Written to '{outputPath}'.");
            }

            if (compressed == prompt)
            {
                writer.WriteLine("No change: nothing in the prompt is filler by the compressor's rules.");
                return PromptOpsCli.Ok;
            }

            if (outputPath is null)
            {
                writer.WriteLine();
                writer.WriteLine("Compressed prompt:");
                writer.WriteLine(compressed);
            }

            if (!parse.GetValue(noDiff))
            {
                writer.WriteLine();
                writer.WriteLine("Diff (- removed, + added; line numbers of the original):");
                writer.Write(LineDiff(prompt, compressed));
            }

            return PromptOpsCli.Ok;
        });
        return command;
    }

    /// <summary>The lines that differ, in hunks: <c>@@ line N</c>, then <c>- </c> for a line of the original and
    /// <c>+ </c> for its replacement (a longest-common-subsequence diff of whole lines).</summary>
    internal static string LineDiff(string before, string after)
    {
        var a = before.ReplaceLineEndings("\n").Split('\n');
        var b = after.ReplaceLineEndings("\n").Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var sb = new StringBuilder();
        int x = 0, y = 0;
        var inHunk = false;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                x++;
                y++;
                inHunk = false;
                continue;
            }

            if (!inHunk)
            {
                sb.Append("@@ line ").Append(x + 1).Append('\n');
                inHunk = true;
            }

            if (y >= b.Length || (x < a.Length && lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                sb.Append("- ").Append(a[x++]).Append('\n');
            }
            else
            {
                sb.Append("+ ").Append(b[y++]).Append('\n');
            }
        }

        return sb.ToString();
    }
}
