using PromptOps.Analyzers.Compression;
using PromptOps.Cli.Commands;

namespace PromptOps.Cli.Tests;

/// <summary><c>promptops compress</c>: a file, a string or standard input; tokens before → after, the result, a diff,
/// <c>--output</c>; one-line errors for bad input. (One class: the standard-input tests replace a static reader.)</summary>
public class CompressCommandTests
{
    private const string Verbose = "Hello! I want you to act as a travel guide. Please make sure that you answer in English.\nLabel: city\nLabel: city";

    [Fact]
    public async Task A_string_is_compressed_with_tokens_before_and_after_the_result_and_a_diff()
    {
        var run = await Cli.RunAsync("compress", "--text", Verbose);

        Assert.Equal(0, run.Exit);
        Assert.Equal("", run.Err);
        Assert.Matches(@"^Tokens \(o200k\): \d+ → \d+ \(\d+ saved, \d+\.\d %\)\.", run.Out);
        Assert.Contains("Compressed prompt:\nAct as a travel guide. Answer in English.\nLabel: city\nLabel: city\n", run.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("@@ line 1\n- Hello! I want you to act as a travel guide. Please make sure that you answer in English.\n+ Act as a travel guide. Answer in English.\n", run.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("- Label", run.Out, StringComparison.Ordinal); // repeated label lines are data: kept, not in the diff
    }

    [Fact]
    public async Task The_engine_is_the_analyzers_compressor()
    {
        var prompt = "Please make sure that the answer is short. It is very important that you reply in JSON.";
        var run = await Cli.RunAsync("compress", "--text", prompt, "--no-diff");

        Assert.Equal(0, run.Exit);
        Assert.Contains("\n" + PromptCompressor.Compress(prompt) + "\n", run.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("Diff", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_is_read_and_output_writes_exactly_the_compressed_prompt()
    {
        var input = Cli.TempFile("You should always cite sources.\r\nPlease be very concise.");
        var target = Path.Combine(Path.GetTempPath(), "promptops-compress-" + Guid.NewGuid().ToString("N") + ".txt");
        try
        {
            var run = await Cli.RunAsync("compress", input, "--output", target);

            Assert.Equal(0, run.Exit);
            Assert.Equal("Always cite sources.\r\nBe concise.", File.ReadAllText(target)); // line endings kept as written
            Assert.Contains($"Written to '{target}'.", run.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("Compressed prompt:", run.Out, StringComparison.Ordinal);
            Assert.Contains("- You should always cite sources.", run.Out, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(input);
            File.Delete(target);
        }
    }

    [Fact]
    public async Task A_dash_reads_standard_input()
    {
        var previous = CompressCommand.StandardInput;
        CompressCommand.StandardInput = () => new StringReader("以下のテキストを要約してください。");
        try
        {
            var run = await Cli.RunAsync("compress", "-");

            Assert.Equal(0, run.Exit);
            Assert.Contains("Compressed prompt:\n要約:\n", run.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }
        finally
        {
            CompressCommand.StandardInput = previous;
        }
    }

    [Fact]
    public async Task A_concise_prompt_is_reported_unchanged()
    {
        var run = await Cli.RunAsync("compress", "--text", "Classify the ticket as bug, billing or other.");

        Assert.Equal(0, run.Exit);
        Assert.Contains("No change", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Diff", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_one_clear_line_and_exit_code_1()
    {
        var line = Cli.AssertOneLineError(await Cli.RunAsync("compress", "/nonexistent/prompt.txt"), 1);
        Assert.Equal("promptops: cannot read '/nonexistent/prompt.txt': no such directory", line);
    }

    [Fact]
    public async Task Empty_text_and_empty_standard_input_are_one_clear_line_and_exit_code_1()
    {
        var line = Cli.AssertOneLineError(await Cli.RunAsync("compress", "--text", "  \n "), 1);
        Assert.Equal("promptops: the prompt from --text is empty: nothing to compress.", line);

        var previous = CompressCommand.StandardInput;
        CompressCommand.StandardInput = () => new StringReader("");
        try
        {
            line = Cli.AssertOneLineError(await Cli.RunAsync("compress", "-"), 1);
            Assert.Equal("promptops: the prompt from standard input is empty: nothing to compress.", line);
        }
        finally
        {
            CompressCommand.StandardInput = previous;
        }
    }

    [Fact]
    public async Task Neither_or_both_inputs_is_a_usage_error()
    {
        Assert.Contains("either as a file", Cli.AssertOneLineError(await Cli.RunAsync("compress"), 2), StringComparison.Ordinal);
        Assert.Contains("either as a file", Cli.AssertOneLineError(await Cli.RunAsync("compress", "p.txt", "--text", "x"), 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unwritable_output_is_one_clear_line()
    {
        var line = Cli.AssertOneLineError(await Cli.RunAsync("compress", "--text", "Please be brief.", "--output", "/nonexistent/dir/out.txt"), 1);
        Assert.Equal("promptops: cannot write '/nonexistent/dir/out.txt': no such directory", line);
    }

    [Fact]
    public void The_diff_marks_removed_and_added_lines_in_hunks()
    {
        Assert.Equal("@@ line 2\n- b\n+ B\n@@ line 4\n- d\n", CompressCommand.LineDiff("a\nb\nc\nd", "a\nB\nc"));
        Assert.Equal("", CompressCommand.LineDiff("same\ntext", "same\ntext"));
    }
}
