using System.ClientModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using PromptOps;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Simulation;
using PromptOps.Usage;
using Spectre.Console;

namespace SupportTriage;

/// <summary>Runs the trace through PromptOps and through the naive baseline, and prints the report.</summary>
public static class Desk
{
    /// <summary>The desk's monthly LLM budget in the simulation (the breaker also stops any day above a tenth of it).</summary>
    private const decimal MonthlyBudgetUsd = 0.02m;

    public static async Task<int> RunAsync(SampleOptions options)
    {
        var trace = Trace.Create(options.Requests);
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected) console.Profile.Width = 120;

        IChatClient provider;
        string providerLabel;
        Action<PromptOpsOptions> configure = _ => { };
        if (options.Provider == "openai")
        {
            var key = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
            if (string.IsNullOrWhiteSpace(key))
            {
                Console.Error.WriteLine("SupportTriage: --provider openai needs OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server such as Ollama or vLLM).");
                return 2;
            }

            var baseUrl = Environment.GetEnvironmentVariable("OPENAI_BASE_URL");
            var model = Environment.GetEnvironmentVariable("OPENAI_MODEL");
            var client = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = string.IsNullOrWhiteSpace(baseUrl) ? null : new Uri(baseUrl) });
            provider = client.GetChatClient(model ?? "gpt-4o-mini").AsIChatClient();
            providerLabel = $"OpenAI-compatible ({(string.IsNullOrWhiteSpace(baseUrl) ? "api.openai.com" : baseUrl)})";
            // Tiers to models this provider serves: OPENAI_MODEL for every tier (Ollama, vLLM), else OpenAI's own.
            configure = o =>
            {
                o.Routing.Models["fast_cheap"] = model ?? "gpt-4o-mini";
                o.Routing.Models["balanced"] = model ?? "gpt-4o-mini";
                o.Routing.Models["high_quality"] = model ?? "gpt-4o";
                o.Routing.Models["best"] = model ?? "gpt-4o";
            };
        }
        else
        {
            provider = new SimulatedChatClient();
            providerLabel = "SIMULATED (offline, deterministic placeholder answers, real token counts and catalogue prices)";
        }

        console.MarkupLine($"[bold]PromptOps SupportTriage[/] — provider: [yellow]{Markup.Escape(providerLabel)}[/]");
        console.MarkupLine($"{trace.Count:N0} requests from {Trace.Users.Count} users (free, starter, pro, enterprise) over a simulated month; " +
                           $"pipeline: usage meter → tier routing → cache{(options.Redis is null ? " (memory)" : " (memory + Redis)")} → provider");

        // The ledger's clock: the trace is spread over November 2026, so the ledger reads like a month of traffic.
        var clock = new SimulatedMonth(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(30) / trace.Count);
        var ledger = new InMemoryUsageSink();
        RunResult result;
        var services = new ServiceCollection();
        services.AddPromptOps(o =>
        {
            o.Redis.Configuration = options.Redis;
            o.Ledger.SqlitePath = options.Ledger;
            // User plans (DESIGN.md's free/starter/pro/enterprise) and a monthly budget with hourly and daily breakers.
            o.Plans.Enabled = true;
            foreach (var (user, plan) in Trace.Users) o.Plans.Users[user] = plan;
            // Requests per minute are counted on the real clock, and this trace plays a month in seconds: the sample lifts
            // the rpm limits (a real deployment keeps the plan's; daily quotas and the budget follow the simulated clock).
            foreach (var plan in PromptOps.Plans.UserPlans.All.Select(p => p.Name))
            {
                o.Plans.Definitions[plan] = new PromptOps.Plans.UserPlanDefinition { RequestsPerMinute = 1_000_000 };
            }
            o.Budget.MonthlyBudgetUsd = MonthlyBudgetUsd;
            o.Budget.DailyLimitUsd = MonthlyBudgetUsd / 10;
            configure(o);
        });
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IUsageSink>(ledger);
        services.AddChatClient(provider).UsePromptOps();
        await using (var sp = services.BuildServiceProvider())
        {
            var desk = new SupportDesk(sp.GetRequiredService<IChatClient>());
            result = await RunTraceAsync(console, "PromptOps", desk, trace, clock);
        } // disposing the container flushes the SQLite ledger

        // The naive baseline, always on the simulated provider so a real provider is not paid twice: the same trace,
        // every request to the best tier's model, no cache, no output limit.
        var baselineLedger = new InMemoryUsageSink();
        var bestModel = ModelTiers.GetDefaultModel(ModelTier.Best);
        var baselineServices = new ServiceCollection();
        baselineServices.AddSingleton<IUsageSink>(baselineLedger);
        baselineServices.AddChatClient(new NaiveClient(new SimulatedChatClient(), bestModel)).UseUsageMeter();
        await using var baselineSp = baselineServices.BuildServiceProvider();
        // Only what PromptOps served is compared: a request a plan refused costs nothing either way.
        var served = trace.Where(t => !result.Refused.ContainsKey(t.Index)).ToList();
        await RunTraceAsync(console, "Baseline", new SupportDesk(baselineSp.GetRequiredService<IChatClient>()), served, clock: null);

        Report.Print(console, ledger.Snapshot(), baselineLedger.Snapshot(), bestModel, result, options.Provider != "openai",
            PromptOps.Reports.UsageReports.BudgetPace(ledger.Snapshot(), MonthlyBudgetUsd, clock.GetUtcNow()));
        console.MarkupLine($"Ledger: [bold]{Markup.Escape(Path.GetFullPath(options.Ledger))}[/] (SQLite). Reports: " +
                           $"[grey]dotnet run --project src/Cli -- report {Markup.Escape(options.Ledger)} --budget 5 --html report.html[/]");
        return 0;
    }

    private static async Task<RunResult> RunTraceAsync(IAnsiConsole console, string name, SupportDesk desk, IReadOnlyList<TraceItem> trace, SimulatedMonth? clock)
    {
        var failures = 0;
        var refused = new Dictionary<int, string>();
        var done = 0;
        async Task RunAllAsync(Action<int> progress)
        {
            foreach (var item in trace)
            {
                try
                {
                    // The user of every call below: metered, and (with plans and budgets) limited as this user.
                    using var user = PromptOpsContext.BeginUser(item.UserId);
                    await RunOneAsync(desk, item);
                }
                catch (PromptReplyException)
                {
                    failures++; // a reply that matched no label: counted, never a silent default
                }
                catch (PromptOpsLimitException e)
                {
                    refused[item.Index] = e.LimitName; // a plan or the budget said no, before anything was spent
                }

                if (!item.Burst) clock?.Advance();
                progress(++done);
            }
        }

        if (console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            await console.Progress().AutoClear(false).StartAsync(async ctx =>
            {
                var task = ctx.AddTask(name, maxValue: trace.Count);
                await RunAllAsync(done => task.Value = done);
            });
        }
        else
        {
            var step = Math.Max(1, trace.Count / 4);
            await RunAllAsync(done =>
            {
                if (done % step == 0 || done == trace.Count) console.MarkupLine($"  {name}: {done:N0}/{trace.Count:N0} requests");
            });
        }

        return new RunResult(failures, refused);
    }

    private static Task RunOneAsync(SupportDesk desk, TraceItem item) => item.Kind switch
    {
        TraceKind.Classify => desk.ClassifyAsync(item.Text),
        TraceKind.Urgency => desk.IsUrgentAsync(item.Text),
        TraceKind.Summary => desk.SummarizeAsync(item.Text),
        TraceKind.Faq => desk.AnswerFaqAsync(item.Text),
        TraceKind.Account => desk.AnswerAccountAsync(item.Text, item.UserId),
        _ => throw new ArgumentOutOfRangeException(nameof(item), item.Kind, "unknown request kind"),
    };

    /// <summary>What an application without PromptOps sends: the best model, no output limit, nothing PromptOps adds.</summary>
    private sealed class NaiveClient(IChatClient inner, string model) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var naive = options?.Clone() ?? new ChatOptions();
            naive.ModelId = model;
            naive.MaxOutputTokens = null;
            return base.GetResponseAsync(messages, naive, cancellationToken);
        }
    }

    /// <summary>A clock that moves a fixed step per request: the ledger's timestamps spread the trace over a month.</summary>
    private sealed class SimulatedMonth(DateTimeOffset start, TimeSpan step) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance() => Interlocked.Add(ref _ticks, step.Ticks);
    }

}

/// <summary>What a run of the trace ended with, besides the ledger: replies that matched no label, and refusals by request index.</summary>
public sealed record RunResult(int Failures, IReadOnlyDictionary<int, string> Refused);
