namespace PromptOps.Cli.Commands;

/// <summary>Reads the files a command is given, turning every failure into one clear line.</summary>
internal static class Inputs
{
    public static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliInputException($"cannot read '{path}': {Reason(e)}");
        }
    }

    public static string Reason(Exception e) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        UnauthorizedAccessException => "permission denied",
        _ => PromptOpsCli.OneLine(e.Message),
    };
}
