using System.Text;

namespace PromptOps.Benchmarks.Figures;

/// <summary>The table every interleaved comparison is reported with.</summary>
internal static class Tables
{
    /// <summary>
    /// One row per operation: time per operation (median over repeats, range), speed against the anchor (first row), and,
    /// where measured, bytes per operation and their ratio to the anchor's. Then a line saying how it was run.
    /// </summary>
    public static string Comparison(InterleavedResult result, string operationHeader = "Operation", string? anchor = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        anchor ??= result.Names[0];
        var bytes = result.BytesPerOperation.Any(b => b is not null);
        var text = new StringBuilder();
        text.Append(CultureInfo($"| {operationHeader} | Time per op, median (range) | vs anchor, median (range) |"))
            .Append(bytes ? " Allocated per op | vs anchor |" : string.Empty).Append('\n')
            .Append("|---|--:|--:|").Append(bytes ? "--:|--:|" : string.Empty).Append('\n');
        foreach (var name in result.Names)
        {
            var isAnchor = name == anchor;
            text.Append(CultureInfo($"| {name}{(isAnchor ? " (anchor)" : string.Empty)} | {Format.TimeSpread(result.Time(name))} | "))
                .Append(isAnchor ? "baseline" : Format.Speed(result.Ratio(name, anchor))).Append(" |");
            if (bytes)
            {
                var b = result.BytesPerOperation[result.IndexOf(name)];
                var a = result.BytesPerOperation[result.IndexOf(anchor)];
                text.Append(' ').Append(b is { } v ? Format.Size(v) : "–").Append(" | ")
                    .Append(isAnchor || b is null || a is null ? "baseline" : Format.Bytes(a.Value, b.Value)).Append(" |");
            }

            text.Append('\n');
        }

        return text.Append('\n').Append("Run: ").Append(result.Describe()).Append(".\n").ToString();
    }

    /// <summary>"met in every repeat", "met by the median, not in every repeat (worst …)" or "not met".</summary>
    /// <param name="ratio">The measured ratio's spread.</param>
    /// <param name="limit">The goal's bound.</param>
    /// <param name="atMost">True when the ratio must be at most <paramref name="limit"/>, false when at least.</param>
    public static string Verdict(Spread ratio, double limit, bool atMost)
    {
        bool Ok(double v) => atMost ? v <= limit : v >= limit;
        var worst = atMost ? ratio.Max : ratio.Min;
        if (Ok(worst)) return "**met** in every repeat";
        return Ok(ratio.Median) ? $"**met** by the median, not in every repeat (worst {Format.X(worst)})" : "**not met**";
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);
}
