namespace PromptOps.Semantic.Tests.Evaluation;

/// <summary>One labelled pair of <c>Evaluation/pairs.tsv</c>.</summary>
public sealed record LabelledPair(int Line, bool Same, string Category, string Stored, string Asked);

public static class LabelledPairs
{
    public static IReadOnlyList<LabelledPair> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Evaluation", "pairs.tsv");
        var pairs = new List<LabelledPair>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var f = line.Split('\t');
            if (f.Length != 4) throw new FormatException($"pairs.tsv line {lineNumber}: expected 4 tab-separated fields, found {f.Length}.");
            var same = f[0] switch
            {
                "same" => true,
                "different" => false,
                _ => throw new FormatException($"pairs.tsv line {lineNumber}: label '{f[0]}' is neither 'same' nor 'different'."),
            };
            pairs.Add(new LabelledPair(lineNumber, same, f[1], f[2], f[3]));
        }

        return pairs;
    }
}
