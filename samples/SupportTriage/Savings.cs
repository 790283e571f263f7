using System.Globalization;
using System.Text;
using PromptOps.Knowledge;
using PromptOps.Simulation;
using Spectre.Console;

namespace SupportTriage;

/// <summary>A baseline: every request to <paramref name="Model"/>, no cache, no plans or budget, with or without the same output limits.</summary>
public sealed record Baseline(string Model, bool Limits)
{
    /// <summary>How the baseline reads in a table.</summary>
    public string Label => $"{Model}, {(Limits ? "same limits" : "no limits")}";
}

/// <summary>
/// The saving against one baseline, by lever (USD). A lever's saving is the cost of a run with that lever off (set as in
/// the baseline) minus the cost with every lever on, measured with plans and budget off: the monthly budget caps
/// spend, so with it on, turning any lever off would mostly turn into more refusals. The levers overlap (a cheaper model
/// makes every cached answer and every shorter answer worth less), so what one-at-a-time measurement leaves over is shown
/// as <see cref="Interaction"/>; the rows add up to <see cref="Total"/> exactly.
/// </summary>
public sealed record LeverSavings(
    Baseline Baseline,
    decimal BaselineCost,
    decimal BaselineServedCost,
    decimal Routing,
    decimal? Limits,
    decimal Cache,
    decimal Interaction,
    decimal Refusals,
    decimal Spent)
{
    /// <summary>Baseline cost − PromptOps' cost, all levers.</summary>
    public decimal Total => BaselineCost - Spent;

    /// <summary>The saving as a share of the baseline's cost.</summary>
    public decimal Share => BaselineCost == 0 ? 0 : Total / BaselineCost;

    /// <summary>The saving on the requests PromptOps served only (like for like: a refused request is left out of both sides).</summary>
    public decimal ServedShare => BaselineServedCost == 0 ? 0 : 1 - (Spent / BaselineServedCost);
}

/// <summary>Measures <see cref="LeverSavings"/> by running the trace again with one lever off at a time (simulated provider only).</summary>
public static class Savings
{
    /// <summary>The default baselines: the best tier's model without limits, gpt-4o-mini without and with the same limits.</summary>
    public static IReadOnlyList<Baseline> Defaults { get; } =
    [
        new(ModelTiers.GetDefaultModel(ModelTier.Best), false),
        new("gpt-4o-mini", false),
        new("gpt-4o-mini", true),
    ];

    /// <summary>Runs the lever-off runs and the baselines; <paramref name="full"/> is the run with every lever on.</summary>
    public static async Task<IReadOnlyList<LeverSavings>> MeasureAsync(IReadOnlyList<TraceItem> trace, RunResult full, IReadOnlyList<Baseline> baselines, bool tightLimits)
    {
        var all = new Levers(TightLimits: tightLimits);
        var unrefused = all with { Refusals = false };
        async Task<decimal> RunAsync(Levers levers) => Cost(await Pipeline.RunPromptOpsAsync(null, "", new SimulatedChatClient(), trace, levers));

        var spent = Cost(full);
        var withoutRefusals = await RunAsync(unrefused);
        var withoutCache = await RunAsync(unrefused with { Cache = false });
        decimal? withoutLimits = baselines.Any(b => !b.Limits) ? await RunAsync(unrefused with { Limits = false }) : null;
        var served = trace.Where(t => !full.Refused.ContainsKey(t.Index)).ToList();
        var limitMode = tightLimits ? LimitMode.Tight : LimitMode.Keep;

        var rows = new List<LeverSavings>(baselines.Count);
        var unrouted = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var b in baselines)
        {
            var baseline = Cost(await Pipeline.RunBaselineAsync(null, "", trace, b.Model, b.Limits ? limitMode : LimitMode.Off));
            var baselineServed = Cost(await Pipeline.RunBaselineAsync(null, "", served, b.Model, b.Limits ? limitMode : LimitMode.Off));
            if (!unrouted.TryGetValue(b.Model, out var withoutRouting))
            {
                unrouted[b.Model] = withoutRouting = await RunAsync(unrefused with { Routing = false, UnroutedModel = b.Model });
            }

            var routing = withoutRouting - withoutRefusals;
            decimal? limits = b.Limits ? null : withoutLimits!.Value - withoutRefusals;
            var cache = withoutCache - withoutRefusals;
            var interaction = baseline - withoutRefusals - routing - (limits ?? 0) - cache;
            rows.Add(new LeverSavings(b, baseline, baselineServed, routing, limits, cache, interaction, withoutRefusals - spent, spent));
        }

        return rows;
    }

    private static decimal Cost(RunResult run) =>
        run.Cost ?? throw new InvalidOperationException("A simulated run has an unpriced call: every model the sample uses must be in the price catalogue.");

    /// <summary>Prints the breakdown: one column per baseline, one row per lever, then what the figures assume.</summary>
    public static void Print(IAnsiConsole console, IReadOnlyList<LeverSavings> rows, int requests, int refused, bool tightLimits)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(rows);
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Saved, by lever[/] (USD; a negative saving costs more than the baseline)").AddColumn("");
        foreach (var r in rows) table.AddColumn(new TableColumn($"vs {Markup.Escape(r.Baseline.Label)}").RightAligned());
        void Row(string name, Func<LeverSavings, string> cell) => table.AddRow([name, .. rows.Select(cell)]);
        static string Usd(decimal v) => v.ToString("0.000000");

        Row($"baseline: all {requests:N0} requests", r => Usd(r.BaselineCost));
        Row("routing (tiers → models)", r => Usd(r.Routing));
        Row("output limits", r => r.Limits is { } l ? Usd(l) : "[grey]same in baseline[/]");
        Row("cache: exact", r => Usd(r.Cache));
        Row("cache: semantic", _ => "[grey]off[/]");
        Row("compression", _ => "[grey]not applied[/]");
        Row("levers together (overlap)", r => Usd(r.Interaction));
        Row($"budget and plan refusals ({refused:N0} not served)", r => Usd(r.Refusals));
        Row("[bold]PromptOps spent[/]", r => $"[bold]{Usd(r.Spent)}[/]");
        Row("[bold]saved, all levers[/]", r => $"[bold]{r.Share:P1}[/]");
        Row("saved on the requests served (like for like)", r => $"{r.ServedShare:P1}");
        console.Write(table);

        console.MarkupLine("[grey]How: each lever's saving is the cost of the trace with that lever off (set as in the baseline) minus the cost with every lever on, " +
                           "both with plans and budget off (a binding budget caps spend, so it would absorb any other lever); what one-at-a-time runs leave over " +
                           "is 'levers together'; the refusals row is the cost with plans and budget off minus the real run's. The rows add up to the baseline minus what PromptOps spent.[/]");
        console.MarkupLine($"[grey]Assumes: the SIMULATED provider's lengths (an answer keeps a length only when its prompt asks for one, else it writes {SimulatedChatClient.DefaultAnswerLength} tokens " +
                           $"and an output limit cuts it off{(tightLimits ? "; --tight-limits: every limit above 10 tokens is a quarter of itself" : "")}); the sample's trace ({requests:N0} requests, seed 2026); " +
                           $"built-in list prices of {DefaultPrices.CatalogDate}. Semantic cache: off (it needs an embedding generator, e.g. PromptOps.Embeddings.MiniLM). " +
                           "Compression: no runtime compression in this pipeline (the prompts are as written).[/]");
    }

    /// <summary>
    /// The saving by lever as a Markdown table between <c>&lt;!-- figures:sample --&gt;</c> markers (<c>--markdown</c>):
    /// the README's table, so that <c>benchmarks/figures.sh sample</c> can rewrite it from a run.
    /// </summary>
    public static string Markdown(IReadOnlyList<LeverSavings> rows, int requests, int refused)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("No baseline was measured.", nameof(rows));
        static string Usd(decimal v) => v < 0 ? "−$" + (-v).ToString("0.000000", CultureInfo.InvariantCulture) : "$" + v.ToString("0.000000", CultureInfo.InvariantCulture);
        static string Share(decimal v) => (v < 0 ? "−" : "") + (Math.Abs(v) * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        var served = requests - refused;
        var text = new StringBuilder();
        void Row(string name, Func<LeverSavings, string> cell) => text.Append("| ").Append(name).Append(" | ").AppendJoin(" | ", rows.Select(cell)).Append(" |\n");
        text.Append("<!-- figures:sample -->\n");
        Row(string.Create(CultureInfo.InvariantCulture, $"{requests:N0} requests, PromptOps spent {Usd(rows[0].Spent)} ({served:N0} served, {refused:N0} refused)"), r => $"vs {r.Baseline.Label}");
        text.Append("|---|").AppendJoin("", rows.Select(_ => "---:|")).Append('\n');
        Row(string.Create(CultureInfo.InvariantCulture, $"baseline (all {requests:N0} requests)"), r => Usd(r.BaselineCost));
        Row("routing", r => Usd(r.Routing));
        Row("output limits (with the length the prompt states)", r => r.Limits is { } l ? Usd(l) : "(same in baseline)");
        Row("exact cache", r => Usd(r.Cache));
        Row("levers together (overlap)", r => Usd(r.Interaction));
        Row("budget and plan refusals", r => Usd(r.Refusals));
        Row(string.Create(CultureInfo.InvariantCulture, $"**saved on the {served:N0} requests served**"), r => $"**{Share(r.ServedShare)}**");
        text.Append("<!-- /figures:sample -->\n");
        return text.ToString();
    }
}
