using System.CommandLine;
using PromptOps.Pricing;
using PromptOps.Reports;
using Spectre.Console;

namespace PromptOps.Cli.Commands;

/// <summary>
/// <c>promptops selfhost</c>: what a monthly token volume costs on the API (a model's catalogue price, or a given monthly
/// API cost) against self-hosted GPUs (<see cref="GpuCostModel"/>), with the break-even volume. The volume comes from
/// <c>--input-tokens</c>/<c>--output-tokens</c> or from a ledger (scaled to 30 days).
/// </summary>
internal static class SelfHostCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var input = new Option<long?>("--input-tokens", "-i") { Description = "Input tokens a month." };
        var output = new Option<long?>("--output-tokens", "-o") { Description = "Output tokens a month." };
        var ledger = new Option<string?>("--ledger", "-l") { Description = "Take the volume and the API cost from this ledger, scaled to 30 days." };
        var model = new Option<string>("--model", "-m") { Description = "The API model whose price the volume is charged at.", DefaultValueFactory = _ => "gpt-4o" };
        var apiCost = new Option<decimal?>("--api-cost") { Description = "The monthly API cost in USD, instead of the model's price." };
        var defaults = new GpuCostModel();
        var gpuHourly = new Option<decimal>("--gpu-hourly") { Description = "USD per GPU-hour.", DefaultValueFactory = _ => defaults.GpuHourlyUsd };
        var gpus = new Option<int>("--gpus") { Description = "GPUs per replica.", DefaultValueFactory = _ => defaults.GpusPerReplica };
        var inTps = new Option<double>("--input-tps") { Description = "Input (prefill) tokens a second per replica.", DefaultValueFactory = _ => defaults.InputTokensPerSecond };
        var outTps = new Option<double>("--output-tps") { Description = "Output (decode) tokens a second per replica.", DefaultValueFactory = _ => defaults.OutputTokensPerSecond };
        var utilization = new Option<double>("--utilization") { Description = "Share of a replica's capacity that is used on average (0–1].", DefaultValueFactory = _ => defaults.TargetUtilization };
        var minReplicas = new Option<int>("--min-replicas") { Description = "Replicas that always run.", DefaultValueFactory = _ => defaults.MinReplicas };
        var fixedCost = new Option<decimal>("--fixed") { Description = "Fixed monthly USD (engineering, monitoring).", DefaultValueFactory = _ => defaults.FixedMonthlyUsd };
        Validation.Check(input, v => v is < 0 ? "--input-tokens cannot be negative." : null);
        Validation.Check(output, v => v is < 0 ? "--output-tokens cannot be negative." : null);
        Validation.Check(apiCost, v => v is < 0 ? "--api-cost cannot be negative." : null);

        var command = new Command("selfhost", "API cost against self-hosted GPU cost for a monthly volume, with the break-even point.")
        {
            input, output, ledger, model, apiCost, gpuHourly, gpus, inTps, outTps, utilization, minReplicas, fixedCost,
        };
        command.Validators.Add(r =>
        {
            var hasVolume = r.GetValue(input) is not null || r.GetValue(output) is not null;
            var hasLedger = r.GetValue(ledger) is not null;
            if (hasVolume == hasLedger) r.AddError("give the monthly volume either with --input-tokens/--output-tokens or with --ledger.");
        });
        command.SetAction(parse =>
        {
            var gpu = new GpuCostModel
            {
                GpuHourlyUsd = parse.GetValue(gpuHourly),
                GpusPerReplica = parse.GetValue(gpus),
                InputTokensPerSecond = parse.GetValue(inTps),
                OutputTokensPerSecond = parse.GetValue(outTps),
                TargetUtilization = parse.GetValue(utilization),
                MinReplicas = parse.GetValue(minReplicas),
                FixedMonthlyUsd = parse.GetValue(fixedCost),
            };
            if (gpu.GetErrors() is { Count: > 0 } errors) throw new CliInputException(string.Join(" ", errors), PromptOpsCli.UsageError);

            long inTokens, outTokens;
            decimal api;
            string source;
            if (parse.GetValue(ledger) is { } path)
            {
                var loaded = Ledgers.Load(path);
                if (loaded.Period is not { } period) throw new CliInputException($"the ledger '{path}' has no records.");
                var scale = 30m / period.Days;
                var totals = loaded.Daily().Totals;
                inTokens = (long)Math.Round(totals.InputTokens * scale);
                outTokens = (long)Math.Round(totals.OutputTokens * scale);
                api = parse.GetValue(apiCost) ?? totals.CostUsd * scale;
                source = $"ledger {Path.GetFileName(path)}, {period.Days} day(s) scaled to 30";
            }
            else
            {
                inTokens = parse.GetValue(input) ?? 0;
                outTokens = parse.GetValue(output) ?? 0;
                if (parse.GetValue(apiCost) is { } given)
                {
                    api = given;
                    source = "the given API cost";
                }
                else
                {
                    var name = parse.GetValue(model)!;
                    if (!new PriceCatalog().TryGetPrice(name, out var price)) throw new CliInputException($"unknown model '{name}': it is not in the price catalogue (see 'promptops prices').");
                    api = price.Cost(inTokens, 0, outTokens);
                    source = $"{price.Model} at ${price.InputPerMillion}/${price.OutputPerMillion} per 1M tokens";
                }
            }

            var r = UsageReports.SelfHosting(inTokens, outTokens, api, gpu);
            console.MarkupLine($"Monthly volume: [bold]{r.MonthlyInputTokens:N0}[/] input + [bold]{r.MonthlyOutputTokens:N0}[/] output tokens ({Markup.Escape(source)}).");
            var table = new Table().Border(TableBorder.Simple).AddColumn("").AddColumn(new TableColumn("USD a month").RightAligned());
            table.AddRow("API", r.ApiMonthlyUsd.ToString("N2"));
            table.AddRow($"self-hosted: {r.Replicas} replica(s) × {gpu.GpusPerReplica} GPU × ${gpu.GpuHourlyUsd}/h × {gpu.HoursPerMonth:0} h{(gpu.FixedMonthlyUsd > 0 ? $" + ${gpu.FixedMonthlyUsd:N0} fixed" : "")}", r.GpuMonthlyUsd.ToString("N2"));
            table.HideHeaders();
            console.Write(table);
            console.MarkupLine($"Utilization {r.Utilization:P1} of {r.Replicas} replica(s) ({r.TokensPerReplicaMonth:N0} tokens a replica-month at the target utilization).");
            console.MarkupLine(r.SelfHostingCheaper
                ? $"[green]Self-hosting is cheaper[/] by ${r.MonthlySavingsUsd:N2} a month."
                : $"[yellow]The API is cheaper[/] by ${-r.MonthlySavingsUsd:N2} a month.");
            console.MarkupLine(r.BreakEvenMonthlyTokens is { } be
                ? $"Break-even: {be:N0} tokens a month at this input/output mix and API price."
                : "Break-even: none — at this API price a replica costs more than the API charges for what it can serve.");
            return PromptOpsCli.Ok;
        });
        return command;
    }
}
