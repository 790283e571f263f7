using System.Text.Json;
using System.Text.Json.Serialization;

namespace PromptOps.Benchmarks.Figures;

/// <summary>What one figure generator produced: the block for its marker in benchmarks/README.md and its rows of the README's summary table.</summary>
/// <param name="Block">Markdown for <c>&lt;!-- figures:NAME --&gt;</c> in benchmarks/README.md.</param>
/// <param name="Summary">Rows (<c>| what | anchor | result | goal |</c>) for the summary table in README.md; may be empty.</param>
internal sealed record FigureOutput(string Block, IReadOnlyList<string> Summary);

/// <summary>A figure as last generated: when, under what load, and its markdown.</summary>
internal sealed record StoredFigure(string MeasuredAt, string Machine, string Load, string Block, IReadOnlyList<string> Summary);

/// <summary>
/// benchmarks/figures.json: the last generated output of every figure generator. A run of some generators replaces
/// their entries and keeps the others', so the README's summary table (rows from every generator) can be written after
/// a partial run, and a test can check that the READMEs hold exactly what was generated.
/// </summary>
internal static class FigureStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The stored figures by generator name (empty when the file does not exist yet).</summary>
    public static SortedDictionary<string, StoredFigure> Load(string path)
    {
        if (!File.Exists(path)) return new(StringComparer.Ordinal);
        try
        {
            var loaded = JsonSerializer.Deserialize<Dictionary<string, StoredFigure>>(File.ReadAllText(path), Json);
            return new(loaded ?? [], StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a figure store written by --figures ({e.Message}); restore it from git or delete it and run every generator.", e);
        }
    }

    /// <summary>Writes the store (sorted by name, so a run that changes one figure changes one entry of the file).</summary>
    public static void Save(string path, SortedDictionary<string, StoredFigure> figures) =>
        File.WriteAllText(path, JsonSerializer.Serialize(figures, Json) + "\n");
}
