using System.ClientModel;
using Anthropic;
using Microsoft.Extensions.AI;
using OpenAI;
using PromptOps;
using PromptOps.Knowledge;
using PromptOps.Simulation;
using Spectre.Console;

namespace SupportTriage;

/// <summary>What a run of the sample ended with: its exit code, the figures it printed and the savings by lever (simulated provider only).</summary>
public sealed record SampleRun(int ExitCode, SampleFigures? Figures, int? ProviderCallCount, IReadOnlyList<LeverSavings> Savings);

/// <summary>Runs the trace through PromptOps, measures the savings by lever against the baselines, and prints the report.</summary>
public static class Desk
{
    /// <summary>Runs the sample with <paramref name="options"/>, printing to <paramref name="console"/>.</summary>
    public static async Task<SampleRun> RunAsync(SampleOptions options, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var trace = Trace.Create(options.Requests);

        IChatClient provider;
        string providerLabel;
        Action<PromptOpsOptions>? configure = null;
        if (options.Provider == "openai")
        {
            var key = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
            if (string.IsNullOrWhiteSpace(key))
            {
                console.MarkupLine("[red]SupportTriage: --provider openai needs OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server such as Ollama or vLLM).[/]");
                return new SampleRun(2, null, null, []);
            }

            var baseUrl = Environment.GetEnvironmentVariable("OPENAI_BASE_URL");
            var model = Environment.GetEnvironmentVariable("OPENAI_MODEL") is { Length: > 0 } m ? m.Trim() : null;
            var client = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = string.IsNullOrWhiteSpace(baseUrl) ? null : new Uri(baseUrl) });
            provider = client.GetChatClient(model ?? "gpt-4o-mini").AsIChatClient();
            var tiers = TierModels(model, tier => Environment.GetEnvironmentVariable(TierVariable(tier)));
            providerLabel = $"OpenAI-compatible ({(string.IsNullOrWhiteSpace(baseUrl) ? "api.openai.com" : baseUrl)}), " +
                            string.Join(", ", ModelTiers.All.Select(t => $"{ModelTiers.GetName(t)} → {tiers[t]}"));
            configure = OpenAiTiers(tiers, custom: model is not null || ModelTiers.All.Any(t => Environment.GetEnvironmentVariable(TierVariable(t)) is { Length: > 0 }));
            var catalog = new PromptOps.Pricing.PriceCatalog();
            var unpriced = tiers.Values.Distinct(StringComparer.Ordinal).Where(id => !catalog.TryGetPrice(id, out _)).ToList();
            if (unpriced.Count > 0)
            {
                // A self-hosted model has no list price: its calls are unpriced (cost unknown, never $0), and the budget, which
                // cannot reserve an unknown cost, lets them through uncounted instead of refusing every request.
                var withTiers = configure;
                configure = o =>
                {
                    withTiers(o);
                    o.Budget.AllowUnpricedModels = true;
                };
                console.MarkupLine($"[yellow]{Markup.Escape(string.Join(", ", unpriced))} {(unpriced.Count == 1 ? "has" : "have")} no price in the catalogue (built-in prices of {DefaultPrices.CatalogDate}; `promptops prices --import` adds more): " +
                                   "their calls are reported as unpriced, and the budget lets them through uncounted (PromptOps:Budget:AllowUnpricedModels).[/]");
            }
        }
        else if (options.Provider == "anthropic")
        {
            var key = Environment.GetEnvironmentVariable("ANTHROPIC_API_KEY");
            if (string.IsNullOrWhiteSpace(key))
            {
                console.MarkupLine("[red]SupportTriage: --provider anthropic needs ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for a gateway or proxy of the Messages API).[/]");
                return new SampleRun(2, null, null, []);
            }

            var baseUrl = Environment.GetEnvironmentVariable("ANTHROPIC_BASE_URL")?.Trim();
            Uri? endpoint = null;
            if (!string.IsNullOrEmpty(baseUrl) && !(Uri.TryCreate(baseUrl, UriKind.Absolute, out endpoint) && endpoint.Scheme is "http" or "https"))
            {
                console.MarkupLine($"[red]SupportTriage: ANTHROPIC_BASE_URL must be an absolute http(s) URL such as https://api.anthropic.com, not '{Markup.Escape(baseUrl)}'.[/]");
                return new SampleRun(2, null, null, []);
            }

            var client = endpoint is null ? new AnthropicClient { ApiKey = key.Trim() } : new AnthropicClient { ApiKey = key.Trim(), BaseUrl = endpoint.ToString().TrimEnd('/') };
            var tiers = AnthropicTierModels();
            // The SDK's IChatClient; routing writes each tier's model into ChatOptions.ModelId, which overrides this default.
            provider = client.AsIChatClient(tiers[ModelTier.Balanced]);
            providerLabel = $"Anthropic ({endpoint?.Authority ?? "api.anthropic.com"}), " +
                            string.Join(", ", ModelTiers.All.Select(t => $"{ModelTiers.GetName(t)} → {tiers[t]}"));
            configure = AnthropicTiers(tiers);
        }
        else
        {
            provider = new SimulatedChatClient { OffLabelModels = options.WeakCheapModel ? new HashSet<string>(StringComparer.Ordinal) { ModelTiers.GetDefaultModel(ModelTier.FastCheap) } : null };
            providerLabel = "SIMULATED (offline, deterministic placeholder answers, real token counts and catalogue prices)" +
                            (options.WeakCheapModel ? $"; --weak-cheap-model: {ModelTiers.GetDefaultModel(ModelTier.FastCheap)} misreads a fifth of the labelled requests" : "");
        }

        console.MarkupLine($"[bold]PromptOps SupportTriage[/] — provider: [yellow]{Markup.Escape(providerLabel)}[/]");
        console.MarkupLine($"{trace.Count:N0} requests from {Trace.Users.Count} users (free, starter, pro, enterprise) over a simulated month; " +
                           $"pipeline: usage meter → plans and budget → tier routing → cache{(options.Redis is null ? " (memory)" : " (memory + Redis)")} → provider" +
                           (options.TightLimits ? "; [yellow]--tight-limits: output limits too small for the answers[/]" : ""));

        var result = await Pipeline.RunPromptOpsAsync(console, "PromptOps", provider, trace, new Levers(TightLimits: options.TightLimits), configure, options.Ledger, options.Redis);
        var figures = SampleFigures.Of(result.Records);
        Report.Print(console, figures, result.Records, result, (provider as SimulatedChatClient)?.CallCount,
            PromptOps.Reports.UsageReports.BudgetPace(result.Records, Pipeline.MonthlyBudgetUsd, result.EndedAt));

        IReadOnlyList<LeverSavings> savings = [];
        if (provider is SimulatedChatClient)
        {
            IReadOnlyList<Baseline> baselines = options.BaselineModel is { } named ? [new Baseline(named, options.BaselineLimits)] : Savings.Defaults;
            if (baselines.FirstOrDefault(b => !new PromptOps.Pricing.PriceCatalog().TryGetPrice(b.Model, out _)) is { } unpriced)
            {
                console.MarkupLine($"[red]SupportTriage: the baseline model '{Markup.Escape(unpriced.Model)}' has no price in the catalogue (built-in prices of {DefaultPrices.CatalogDate}); name a priced model, for example gpt-4o-mini.[/]");
                return new SampleRun(2, figures, (provider as SimulatedChatClient)?.CallCount, []);
            }

            console.MarkupLine($"Measuring the levers: the trace again with one lever off at a time, and {baselines.Count} baseline(s), on the simulated provider …");
            savings = await Savings.MeasureAsync(trace, result, baselines, options.TightLimits);
            Savings.Print(console, savings, trace.Count, result.Refused.Count, options.TightLimits);
            if (options.Markdown)
            {
                // Plain text (not Spectre markup): the README's table, copied between its markers by benchmarks/figures.sh sample.
                console.Profile.Out.Writer.Write(Savings.Markdown(savings, trace.Count, result.Refused.Count));
            }
            var headline = savings[0];
            console.MarkupLine($"[bold]Saved against {Markup.Escape(headline.Baseline.Label)} on the {trace.Count - result.Refused.Count:N0} requests served: {headline.ServedShare:P1}[/] " +
                               $"(goal ≥ 80%: {(headline.ServedShare >= 0.80m ? "[green]met[/]" : "[red]not met[/]")}); with the {result.Refused.Count:N0} refused requests: {headline.Share:P1} of ${headline.BaselineCost:0.000000}.");
        }
        else
        {
            console.MarkupLine("Savings by lever: measured on the simulated provider only (it replays the trace once per lever and baseline; a real provider would be paid each time).");
        }

        console.MarkupLine($"Ledger: [bold]{Markup.Escape(Path.GetFullPath(options.Ledger))}[/] (SQLite). Reports: " +
                           $"[grey]dotnet run --project src/Cli -- report {Markup.Escape(options.Ledger)} --budget 5 --html report.html[/]");

        // A run that served nothing is a failure, not a report of "0.0 %" saved.
        var exit = figures.Totals.Requests > 0 && figures.Totals.Succeeded == 0 ? 1 : 0;
        if (exit != 0) console.MarkupLine($"[red]SupportTriage: none of the {figures.Totals.Requests:N0} requests was answered ({figures.Totals.Refused:N0} refused, {figures.Totals.Failed:N0} failed).[/]");
        return new SampleRun(exit, figures, (provider as SimulatedChatClient)?.CallCount, savings);
    }

    /// <summary>The Anthropic model of each tier, from the catalogue's Claude models (<see cref="AnthropicModels.ForTier"/>).</summary>
    public static IReadOnlyDictionary<ModelTier, string> AnthropicTierModels() => ModelTiers.All.ToDictionary(t => t, AnthropicModels.ForTier);

    /// <summary>
    /// Routes each tier to its Claude model, and gives each plan the Claude models of the tiers its own model list reaches
    /// (the built-in lists name OpenAI models too, which Anthropic does not serve): free's gpt-4o-mini becomes
    /// claude-haiku-4-5, pro's gpt-4o claude-sonnet-4-5; a plan without a list keeps every model.
    /// </summary>
    public static Action<PromptOpsOptions> AnthropicTiers(IReadOnlyDictionary<ModelTier, string> tiers) => o =>
    {
        ArgumentNullException.ThrowIfNull(tiers);
        foreach (var (tier, model) in tiers) o.Routing.Models[ModelTiers.GetName(tier)] = model;
        var catalog = new PromptOps.Pricing.PriceCatalog();
        foreach (var plan in PromptOps.Plans.UserPlans.All)
        {
            if (plan.AllowedModels is null) continue;
            var models = plan.AllowedModels
                .Select(m => catalog.TryGetPrice(m, out var price) && price.Tier is { } tier ? tiers[tier] : null)
                .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            if (!o.Plans.Definitions.TryGetValue(plan.Name, out var definition)) o.Plans.Definitions[plan.Name] = definition = new PromptOps.Plans.UserPlanDefinition();
            definition.Models = models;
        }
    };

    /// <summary>The environment variable that names one tier's model: <c>OPENAI_MODEL_FAST_CHEAP</c>, <c>OPENAI_MODEL_BALANCED</c>, …</summary>
    public static string TierVariable(ModelTier tier) => "OPENAI_MODEL_" + ModelTiers.GetName(tier).ToUpperInvariant();

    /// <summary>
    /// The model of each tier on an OpenAI-compatible provider: the tier's own variable (<see cref="TierVariable"/>) when
    /// set, else <paramref name="model"/> (OPENAI_MODEL: Ollama, vLLM, a custom deployment) for every tier, else OpenAI's
    /// own models (gpt-4o-mini for fast_cheap and balanced, gpt-4o above).
    /// </summary>
    public static IReadOnlyDictionary<ModelTier, string> TierModels(string? model, Func<ModelTier, string?> tierModel)
    {
        ArgumentNullException.ThrowIfNull(tierModel);
        return ModelTiers.All.ToDictionary(t => t, t => tierModel(t) is { Length: > 0 } own ? own.Trim()
            : model ?? (t is ModelTier.FastCheap or ModelTier.Balanced ? "gpt-4o-mini" : "gpt-4o"));
    }

    /// <summary>
    /// Routes each tier to its model and, for custom models (<paramref name="custom"/>), lets every plan use them: a plan's
    /// model list names OpenAI and Anthropic models, which such a server does not have.
    /// </summary>
    public static Action<PromptOpsOptions> OpenAiTiers(IReadOnlyDictionary<ModelTier, string> tiers, bool custom) => o =>
    {
        ArgumentNullException.ThrowIfNull(tiers);
        foreach (var (tier, model) in tiers) o.Routing.Models[ModelTiers.GetName(tier)] = model;
        if (!custom) return;
        foreach (var plan in PromptOps.Plans.UserPlans.All.Select(p => p.Name))
        {
            if (!o.Plans.Definitions.TryGetValue(plan, out var definition)) o.Plans.Definitions[plan] = definition = new PromptOps.Plans.UserPlanDefinition();
            definition.Models = [.. tiers.Values.Distinct(StringComparer.Ordinal)];
        }
    };
}
