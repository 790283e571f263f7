using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using PromptOps;
using PromptOps.Budgets;
using PromptOps.Knowledge;
using PromptOps.Simulation;
using PromptOps.Usage;
using Spectre.Console;

namespace SupportTriage;

/// <summary>What the output limits of a run are.</summary>
public enum LimitMode
{
    /// <summary>The prompts' limits (the task's MaxOutputTokens the generator writes) and any length guidance they carry.</summary>
    Keep,

    /// <summary>No MaxOutputTokens, and no length guidance PromptOps wrote into the prompt ("Answer in at most N words.").</summary>
    Off,

    /// <summary>Limits too small for the answers: every limit above 10 tokens becomes a quarter of itself (at least 10).</summary>
    Tight,
}

/// <summary>
/// Which PromptOps levers a run of the trace uses. A lever that is off behaves as the baseline does: routing off sends
/// every request to <see cref="UnroutedModel"/>; limits off drop the output limit; cache off answers everything from the
/// provider; refusals off drop the user plans and the budget.
/// </summary>
public sealed record Levers(bool Routing = true, bool Limits = true, bool Cache = true, bool Refusals = true, string? UnroutedModel = null, bool TightLimits = false)
{
    /// <summary>The output limits of the run.</summary>
    public LimitMode LimitMode => !Limits ? LimitMode.Off : TightLimits ? LimitMode.Tight : LimitMode.Keep;
}

/// <summary>A run of the trace: the ledger's records, replies that matched no label, and refusals by request index.</summary>
public sealed record RunResult(IReadOnlyList<UsageRecord> Records, int Failures, IReadOnlyDictionary<int, string> Refused, DateTimeOffset EndedAt)
{
    /// <summary>USD spent (priced calls); null when a call was unpriced (its cost is unknown, never $0).</summary>
    public decimal? Cost => Records.Any(r => r.CostUsd is null && r.Outcome == UsageOutcome.Success && r.CacheLayer == PromptOps.Caching.CacheLayer.None)
        ? null
        : Records.Sum(r => r.CostUsd ?? 0m);
}

/// <summary>Runs the trace through a PromptOps pipeline or through a baseline.</summary>
public static partial class Pipeline
{
    /// <summary>The desk's monthly LLM budget in the simulation (the breaker also stops any day above a tenth of it).</summary>
    public const decimal MonthlyBudgetUsd = 0.02m;

    /// <summary>The start of the simulated month the trace is spread over.</summary>
    public static readonly DateTimeOffset MonthStart = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Runs <paramref name="trace"/> through PromptOps with <paramref name="levers"/>.</summary>
    /// <param name="configure">Provider-specific options (tier models, plan model lists), applied after the levers.</param>
    /// <param name="ledgerPath">The SQLite ledger, or null for memory only.</param>
    public static async Task<RunResult> RunPromptOpsAsync(IAnsiConsole? console, string name, IChatClient provider, IReadOnlyList<TraceItem> trace, Levers levers,
        Action<PromptOpsOptions>? configure = null, string? ledgerPath = null, string? redis = null)
    {
        // The ledger's clock: the trace is spread over November 2026, so the ledger reads like a month of traffic.
        var clock = new SimulatedMonth(MonthStart, TimeSpan.FromDays(30) / Math.Max(1, trace.Count));
        var ledger = new InMemoryUsageSink(trace.Count + 100);
        var services = new ServiceCollection();
        services.AddPromptOps(o =>
        {
            o.Redis.Configuration = redis;
            o.Ledger.SqlitePath = ledgerPath;
            if (levers.Refusals)
            {
                // User plans (DESIGN.md's free/starter/pro/enterprise) and a monthly budget with a daily breaker.
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
            }

            if (!levers.Cache) o.Cache.Enabled = false;
            configure?.Invoke(o);
            if (!levers.Routing)
            {
                var model = levers.UnroutedModel ?? throw new InvalidOperationException("Routing off needs the model every request goes to.");
                foreach (var tier in ModelTiers.All) o.Routing.Models[ModelTiers.GetName(tier)] = model;
            }
        });
        services.AddPromptOpsRedis(); // PromptOps.Redis: the L2 cache when --redis is given (nothing connects otherwise)
        services.AddPromptOpsSqliteLedger(); // PromptOps.Sqlite: the ledger file
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IUsageSink>(ledger);
        services.AddChatClient(provider).UsePromptOps();
        var (failures, refused) = (0, new Dictionary<int, string>());
        await using (var sp = services.BuildServiceProvider())
        {
            var desk = new SupportDesk(new OutputLimits(sp.GetRequiredService<IChatClient>(), levers.LimitMode));
            (failures, refused) = await RunTraceAsync(console, name, desk, trace, clock);
        } // disposing the container flushes the SQLite ledger

        return new RunResult(ledger.Snapshot(), failures, refused, clock.GetUtcNow());
    }

    /// <summary>
    /// What an application without PromptOps pays, always on the simulated provider (a real provider is not paid twice):
    /// every request to <paramref name="model"/>, no cache, no plans or budget, and the output limits of <paramref name="limits"/>.
    /// </summary>
    public static async Task<RunResult> RunBaselineAsync(IAnsiConsole? console, string name, IReadOnlyList<TraceItem> trace, string model, LimitMode limits)
    {
        var sink = new InMemoryUsageSink(trace.Count + 100);
        var services = new ServiceCollection();
        services.AddSingleton<IUsageSink>(sink);
        services.AddChatClient(new SimulatedChatClient()).UseUsageMeter();
        await using var sp = services.BuildServiceProvider();
        var desk = new SupportDesk(new OutputLimits(new FixedModel(sp.GetRequiredService<IChatClient>(), model), limits));
        var (failures, refused) = await RunTraceAsync(console, name, desk, trace, clock: null);
        return new RunResult(sink.Snapshot(), failures, refused, MonthStart);
    }

    private static async Task<(int Failures, Dictionary<int, string> Refused)> RunTraceAsync(IAnsiConsole? console, string name, SupportDesk desk, IReadOnlyList<TraceItem> trace,
        SimulatedMonth? clock)
    {
        var failures = 0;
        var refused = new Dictionary<int, string>();
        var done = 0;
        var step = Math.Max(1, trace.Count / 4);
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
            catch (Exception e) when (e is not OperationCanceledException and not PromptReplyException and not PromptOpsLimitException)
            {
                // The provider failed (an error status, a network problem): the ledger records the call as failed, and the
                // report's "failed" row counts it from there; the trace goes on.
            }

            if (!item.Burst) clock?.Advance();
            done++;
            if (console is not null && (done % step == 0 || done == trace.Count)) console.MarkupLine($"  {Markup.Escape(name)}: {done:N0}/{trace.Count:N0} requests");
        }

        return (failures, refused);
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

    /// <summary>Every request to one model (what an application without routing sends).</summary>
    private sealed class FixedModel(IChatClient inner, string model) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var fixedModel = options?.Clone() ?? new ChatOptions();
            fixedModel.ModelId = model;
            return base.GetResponseAsync(messages, fixedModel, cancellationToken);
        }
    }

    /// <summary>Applies a <see cref="LimitMode"/> to every request, above the PromptOps pipeline (so the cache key sees it too).</summary>
    public sealed partial class OutputLimits(IChatClient inner, LimitMode mode) : DelegatingChatClient(inner)
    {
        /// <inheritdoc />
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (mode == LimitMode.Keep) return base.GetResponseAsync(messages, options, cancellationToken);
            var changed = options?.Clone() ?? new ChatOptions();
            if (mode == LimitMode.Off)
            {
                changed.MaxOutputTokens = null;
                messages = [.. messages.Select(WithoutGuidance)];
            }
            else if (changed.MaxOutputTokens is > 10 and var limit)
            {
                changed.MaxOutputTokens = Math.Max(10, limit / 4);
            }

            return base.GetResponseAsync(messages, changed, cancellationToken);
        }

        /// <summary>The message without the length guidance PromptOps writes into prompts (the wording contract of #16).</summary>
        public static ChatMessage WithoutGuidance(ChatMessage message)
        {
            ArgumentNullException.ThrowIfNull(message);
            if (message.Role != ChatRole.System || message.Text is not { Length: > 0 } text) return message;
            var stripped = Guidance().Replace(text, "");
            return stripped == text ? message : new ChatMessage(message.Role, stripped.TrimEnd());
        }

        [GeneratedRegex(@"\s*(?:Answer in at most \d+ (?:words|sentences)\.|\d+文字以内で答えてください。)", RegexOptions.CultureInvariant)]
        private static partial Regex Guidance();
    }

    /// <summary>A clock that moves a fixed step per request: the ledger's timestamps spread the trace over a month.</summary>
    private sealed class SimulatedMonth(DateTimeOffset start, TimeSpan step) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance() => Interlocked.Add(ref _ticks, step.Ticks);
    }
}
