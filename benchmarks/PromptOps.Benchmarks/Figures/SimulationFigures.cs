using System.Globalization;
using System.Text;

namespace PromptOps.Benchmarks.Figures;

/// <summary>
/// The deterministic simulations (<see cref="CascadeCostSimulation"/>, <see cref="BatchOverheadSimulation"/>): cost
/// figures, not timings, so they are run once and their printed tables are taken as they are.
/// </summary>
internal static class SimulationFigures
{
    public static async Task<FigureOutput> CascadeAsync()
    {
        var printed = await CaptureAsync(() => CascadeCostSimulation.RunAsync()).ConfigureAwait(false);
        var row = Row(printed, "| cascade from the task's tier → best |");
        return new FigureOutput(printed,
        [
            $"| Cascade, 60/25/15 mix (simulated quality, perfect evaluator) | everything to the best tier | {row[3]} of the cost, {row[5]} escalated, {row[4]} acceptable answers ({Row(printed, "| everything to best")[4]} for the best tier) | reported |",
        ]);
    }

    public static async Task<FigureOutput> BatchAsync()
    {
        var printed = await CaptureAsync(BatchOverheadSimulation.RunAsync).ConfigureAwait(false);
        var single = Row(printed, "| 100 single calls |");
        var batched = Row(printed, "| BatchProcessor (20 per call) |");
        var cost = decimal.Parse(batched[5].TrimStart('$'), CultureInfo.InvariantCulture) / decimal.Parse(single[5].TrimStart('$'), CultureInfo.InvariantCulture);
        return new FigureOutput(printed,
        [
            string.Create(CultureInfo.InvariantCulture,
                $"| Batch processor, 100 short classifications | 100 single calls | {batched[3]} input tokens instead of {single[3]}, {batched[4]} output tokens instead of {single[4]}: {cost:P1} of the cost | reported |"),
        ]);
    }

    /// <summary>What <paramref name="run"/> writes to the console, with its top-level heading made bold (the README has its own headings).</summary>
    private static async Task<string> CaptureAsync(Func<Task> run)
    {
        var previous = Console.Out;
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Console.SetOut(writer);
        try
        {
            await run().ConfigureAwait(false);
        }
        finally
        {
            Console.SetOut(previous);
        }

        var text = new StringBuilder();
        foreach (var line in writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            text.Append(line.StartsWith("# ", StringComparison.Ordinal) ? "**" + line[2..] + "**" : line).Append('\n');
        }

        return text.ToString().Trim('\n') + "\n";
    }

    /// <summary>The cells of the printed table row starting with <paramref name="prefix"/> (index 1 is the first cell).</summary>
    private static string[] Row(string printed, string prefix) =>
        printed.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line
            ? [.. line.Split('|').Select(c => c.Trim())]
            : throw new InvalidOperationException($"The simulation printed no row starting with '{prefix}'.");
}
