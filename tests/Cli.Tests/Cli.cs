namespace PromptOps.Cli.Tests;

/// <summary>Runs the command line in-process and captures what it prints.</summary>
internal static class Cli
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await PromptOpsCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Asserts the run failed with exactly one line on stderr, no stack trace, and returns that line.</summary>
    public static string AssertOneLineError((int Exit, string Out, string Err) run, int exit)
    {
        Assert.Equal(exit, run.Exit);
        var lines = run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("promptops: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Err, StringComparison.Ordinal);
        return lines[0].TrimEnd('\r');
    }

    public static string TempFile(string content, string extension = ".txt")
    {
        var path = Path.Combine(Path.GetTempPath(), "promptops-cli-" + Guid.NewGuid().ToString("N") + extension);
        File.WriteAllText(path, content);
        return path;
    }
}
