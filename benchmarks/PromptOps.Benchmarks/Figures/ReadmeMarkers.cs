using System.Text;
using System.Text.RegularExpressions;

namespace PromptOps.Benchmarks.Figures;

/// <summary>
/// The generated parts of a README: the text between <c>&lt;!-- figures:NAME --&gt;</c> and
/// <c>&lt;!-- /figures:NAME --&gt;</c>, each on its own line. Everything outside the markers is left byte for byte.
/// </summary>
internal static partial class ReadmeMarkers
{
    [GeneratedRegex(@"^<!-- (/?)figures:([a-z0-9-]+) -->\r?$", RegexOptions.Multiline)]
    private static partial Regex Marker();

    /// <summary>The names of the marked blocks of <paramref name="text"/>, in order; throws on an unclosed, unopened, nested or repeated marker.</summary>
    public static IReadOnlyList<string> Names(string text, string file) => [.. Blocks(text, file).Select(b => b.Name)];

    /// <summary>
    /// <paramref name="text"/> with the content of every block whose name <paramref name="content"/> knows replaced by
    /// what it returns (a trailing newline is added when missing); other blocks are left as they are.
    /// </summary>
    public static string Replace(string text, string file, Func<string, string?> content)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(content);
        var builder = new StringBuilder(text.Length);
        var at = 0;
        foreach (var block in Blocks(text, file))
        {
            var replacement = content(block.Name);
            if (replacement is null) continue;
            if (replacement.Length > 0 && !replacement.EndsWith('\n')) replacement += "\n";
            builder.Append(text, at, block.ContentStart - at).Append(replacement);
            at = block.ContentEnd;
        }

        return builder.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>The content of the block named <paramref name="name"/>, or null when there is none.</summary>
    public static string? Content(string text, string file, string name) =>
        Blocks(text, file).Where(b => b.Name == name).Select(b => text[b.ContentStart..b.ContentEnd]).FirstOrDefault();

    private static List<Block> Blocks(string text, string file)
    {
        var blocks = new List<Block>();
        (string Name, int ContentStart, int Line)? open = null;
        foreach (Match m in Marker().Matches(text))
        {
            var closing = m.Groups[1].Value == "/";
            var name = m.Groups[2].Value;
            var line = text.AsSpan(0, m.Index).Count('\n') + 1;
            if (!closing)
            {
                if (open is { } o) throw new FormatException($"{file}:{line}: figures:{name} opens inside figures:{o.Name} (opened on line {o.Line}).");
                var end = m.Index + m.Length;
                open = (name, end < text.Length && text[end] == '\n' ? end + 1 : end, line);
                continue;
            }

            if (open is not { } current) throw new FormatException($"{file}:{line}: /figures:{name} closes a block that was not opened.");
            if (current.Name != name) throw new FormatException($"{file}:{line}: /figures:{name} closes figures:{current.Name} (opened on line {current.Line}).");
            if (blocks.Any(b => b.Name == name)) throw new FormatException($"{file}:{line}: figures:{name} appears twice.");
            blocks.Add(new Block(name, current.ContentStart, m.Index));
            open = null;
        }

        return open is { } unclosed ? throw new FormatException($"{file}:{unclosed.Line}: figures:{unclosed.Name} is never closed.") : blocks;
    }

    private readonly record struct Block(string Name, int ContentStart, int ContentEnd);
}
