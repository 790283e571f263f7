using System.CommandLine;
using PromptOps.Reports;
using Spectre.Console;

namespace PromptOps.Cli.Commands;

/// <summary>
/// <c>promptops plan</c>: the optimization roadmap for a monthly cost and a target reduction — the levers in order, what
/// each saves in USD (low–high) after the ones before it, the cumulative reduction and how many steps reach the target.
/// With <c>--ledger</c>, levers already in use (caching, routing) are skipped and the monthly cost defaults to the
/// ledger's spend scaled to 30 days.
/// </summary>
internal static class PlanCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var cost = new Option<decimal?>("--monthly-cost", "-c") { Description = "Current monthly LLM cost in USD." };
        var target = new Option<string>("--target", "-t") { Description = "Target reduction: 0.6 or 60%.", Required = true };
        var ledger = new Option<string?>("--ledger", "-l") { Description = "A ledger: skip levers already in use; default monthly cost from its spend." };
        Validation.Check(cost, v => v is <= 0 ? "--monthly-cost must be a positive number of USD." : null);
        var command = new Command("plan", "The optimization roadmap for a current monthly cost and a target reduction.") { cost, target, ledger };
        command.Validators.Add(r =>
        {
            if (r.GetValue(cost) is null && r.GetValue(ledger) is null) r.AddError("give the current monthly cost with --monthly-cost, or a --ledger.");
        });
        command.SetAction(parse =>
        {
            var reduction = ParseTarget(parse.GetValue(target)!);
            OptimizationRoadmap roadmap;
            decimal monthly;
            if (parse.GetValue(ledger) is { } path)
            {
                var loaded = Ledgers.Load(path);
                roadmap = loaded.Roadmap(reduction);
                monthly = parse.GetValue(cost) ?? (loaded.Period is { } p ? roadmap.SpendUsd * 30m / p.Days : 0m);
                if (monthly <= 0) throw new CliInputException($"the ledger '{path}' has no spend; give --monthly-cost.");
            }
            else
            {
                roadmap = UsageReports.Roadmap([], reduction);
                monthly = parse.GetValue(cost)!.Value;
            }

            console.MarkupLine($"Current monthly cost [bold]${monthly:N2}[/]; target −{reduction:P0} → [bold]${monthly * (1 - reduction):N2}[/] a month.");
            var table = new Table().Border(TableBorder.Simple)
                .AddColumn(new TableColumn("#").RightAligned()).AddColumn("lever").AddColumn(new TableColumn("saves $/month").RightAligned())
                .AddColumn(new TableColumn("reduction so far").RightAligned()).AddColumn("what to do");
            decimal prevLow = 0, prevHigh = 0;
            foreach (var step in roadmap.Steps)
            {
                if (!step.Applicable)
                {
                    table.AddRow(step.Order.ToString(), Markup.Escape(step.Lever.Name), "[grey]in use[/]", "", $"[grey]skipped: {Markup.Escape(step.Evidence)}[/]");
                    continue;
                }

                var low = monthly * (step.CumulativeLow - prevLow);
                var high = monthly * (step.CumulativeHigh - prevHigh);
                prevLow = step.CumulativeLow;
                prevHigh = step.CumulativeHigh;
                var reached = roadmap.StepsToTarget == step.Order ? " [green]← target[/]" : "";
                table.AddRow(step.Order.ToString(), Markup.Escape(step.Lever.Name), $"{low:N0}–{high:N0}",
                    $"{step.CumulativeLow:P0}–{step.CumulativeHigh:P0}{reached}", Markup.Escape(step.Lever.Action));
            }

            console.Write(table);
            console.MarkupLine(roadmap.StepsToTarget is { } n
                ? $"The first [bold]{n}[/] step(s) reach −{reduction:P0} at the midpoints of the typical ranges."
                : roadmap.TargetReachable
                    ? $"−{reduction:P0} is reachable only at the high end of the ranges with every lever."
                    : $"[yellow]−{reduction:P0} is beyond what these levers typically save[/] (at most {(roadmap.Steps.Count > 0 ? roadmap.Steps[^1].CumulativeHigh : 0):P0}).");
            console.MarkupLine("[grey]Ranges are typical outcomes from the cost-control guide, not promises; each lever saves a share of what the ones before it left.[/]");
            return PromptOpsCli.Ok;
        });
        return command;
    }

    private static decimal ParseTarget(string text)
    {
        var t = text.Trim();
        var percent = t.EndsWith('%');
        if (percent) t = t[..^1];
        if (!decimal.TryParse(t, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var value))
            throw new CliInputException($"--target must be a fraction like 0.6 or a percentage like 60%, not '{text}'.", PromptOpsCli.UsageError);
        if (percent || value >= 1) value /= 100;
        return value is > 0 and < 1 ? value : throw new CliInputException($"--target must be between 0% and 100% (exclusive), not '{text}'.", PromptOpsCli.UsageError);
    }
}
