using System.CommandLine;

namespace PromptOps.Cli.Commands;

internal static class Validation
{
    /// <summary>
    /// Adds a check of the option's value; a value that does not parse is left to the parser's own error (reading it
    /// in a validator would throw).
    /// </summary>
    public static void Check<T>(Option<T> option, Func<T?, string?> check) => option.Validators.Add(result =>
    {
        T? value;
        try
        {
            value = result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return;
        }

        if (check(value) is { } message) result.AddError(message);
    });
}
