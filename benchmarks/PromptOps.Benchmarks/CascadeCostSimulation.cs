using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using PromptOps.Knowledge;
using PromptOps.Routing;
using PromptOps.Simulation;
using PromptOps.Usage;

namespace PromptOps.Benchmarks;

/// <summary>
/// Cost per 1,000 requests of the cascade against sending everything to the best tier (and against plain tier routing),
/// on the cost guide's mix: 60% simple, 25% medium, 15% complex. A deterministic simulation, not a timing benchmark:
/// <list type="bullet">
/// <item>Tokens: <see cref="SimulatedChatClient"/> (input counted with each model's tokenizer; output ≈ ¾ of the task's
/// MaxOutputTokens), priced by the default catalogue through the real <see cref="UsageMeterChatClient"/>.</item>
/// <item>Quality: each request has a difficulty (0–100) drawn deterministically (SHA-256 of its index) from its class's
/// range; a model's answer is acceptable when its <see cref="ModelQuality"/> score is at least the difficulty. The
/// cascade's evaluator sees that verdict exactly (a perfect evaluator).</item>
/// </list>
/// Run: <c>dotnet run -c Release --project benchmarks/PromptOps.Benchmarks -- --cascade-cost</c>.
/// </summary>
public static class CascadeCostSimulation
{
    private sealed record RequestClass(string Name, int Share, string Task, int InputTokens, int MinDifficulty, int MaxDifficulty);

    private static readonly RequestClass[] Classes =
    [
        new("simple", 60, "classification", 150, 20, 65),
        new("medium", 25, "summary", 600, 50, 90),
        new("complex", 15, "analysis", 1500, 70, 95),
    ];

    private sealed record Request(int Index, RequestClass Class, int Difficulty, string Text);

    public static async Task RunAsync(int count = 1000)
    {
        var requests = BuildRequests(count);
        Console.WriteLine("# Cascade cost simulation: " + count.ToString(CultureInfo.InvariantCulture) + " requests (" +
            string.Join(", ", Classes.Select(c => requests.Count(r => r.Class == c).ToString(CultureInfo.InvariantCulture) + " " + c.Name)) + ")");
        Console.WriteLine();
        Console.WriteLine("Difficulty ranges: " + string.Join("; ", Classes.Select(c => $"{c.Name} ({c.Task}, ~{c.InputTokens} input tokens) {c.MinDifficulty}–{c.MaxDifficulty - 1}")));
        Console.WriteLine("Quality scores: " + string.Join(", ", ModelTiers.All.Select(t => $"{ModelTiers.GetName(t)} {ModelTiers.GetDefaultModel(t)} {ModelQuality.GetDefault(ModelTiers.GetDefaultModel(t))}")));
        Console.WriteLine();

        var best = await RunStrategyAsync("everything to best (" + ModelTiers.GetDefaultModel(ModelTier.Best) + ")", requests, (r, o) => o.ModelId = ModelTiers.GetDefaultModel(ModelTier.Best), cascade: false);
        var routed = await RunStrategyAsync("task tier routing (no cascade)", requests, (r, o) => o.WithPromptOps(new PromptOpsMetadata { Task = r.Class.Task }), cascade: false);
        var cascaded = await RunStrategyAsync("cascade fast_cheap → best", requests, (r, o) => o.WithCascade(Evaluator), cascade: true);
        var fromTier = await RunStrategyAsync("cascade from the task's tier → best", requests,
            (r, o) => o.WithCascade(Evaluator).WithPromptOps(new PromptOpsMetadata { Task = r.Class.Task }), cascade: true, startAtTier: true);

        Console.WriteLine("| strategy | cost per 1,000 requests | vs best | acceptable answers | escalation rate | provider calls per request |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var s in new[] { best, routed, cascaded, fromTier })
        {
            var per1000 = s.Cost / requests.Count * 1000m;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {s.Name} | ${per1000:F4} | {(s.Cost / best.Cost):P1} | {(double)s.Accepted / requests.Count:P1} | {(s.Escalated < 0 ? "–" : ((double)s.Escalated / requests.Count).ToString("P1", CultureInfo.InvariantCulture))} | {(double)s.Calls / requests.Count:F2} |"));
        }

        Console.WriteLine();
        foreach (var run in new[] { cascaded, fromTier }) PrintByClass(run, best);
    }

    private static void PrintByClass(StrategyResult cascaded, StrategyResult best)
    {
        Console.WriteLine();
        Console.WriteLine(cascaded.Name + ", by class (levels 0–3: " + string.Join(", ", ModelTiers.All.Select(ModelTiers.GetDefaultModel)) + "):");
        Console.WriteLine();
        Console.WriteLine("| class | requests | answered at level 0 / 1 / 2 / 3 | escalated | cost per request | best-tier cost per request |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|");
        foreach (var c in Classes)
        {
            var mine = cascaded.Records.Where(x => x.Request.Class == c).ToList();
            var theirs = best.Records.Where(x => x.Request.Class == c).ToList();
            var levels = string.Join(" / ", Enumerable.Range(0, 4).Select(l => mine.Count(x => x.Level == l)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Name} | {mine.Count} | {levels} | {(double)mine.Count(x => x.Escalated) / mine.Count:P1} | ${mine.Average(x => x.Cost):F6} | ${theirs.Average(x => x.Cost):F6} |"));
        }
    }

    private static readonly ICascadeEvaluator Evaluator = CascadeEvaluators.From(r => r.Text.StartsWith("ACCEPTABLE", StringComparison.Ordinal), "below the request's difficulty");

    private sealed record Outcome(Request Request, decimal Cost, int Level, bool Accepted, bool Escalated);

    private sealed record StrategyResult(string Name, decimal Cost, int Accepted, int Escalated, int Calls, List<Outcome> Records);

    private static async Task<StrategyResult> RunStrategyAsync(string name, List<Request> requests, Action<Request, ChatOptions> shape, bool cascade,
        bool startAtTier = false)
    {
        var sink = new InMemoryUsageSink(requests.Count + 10);
        var gate = new QualityGate(new SimulatedChatClient(answerLength: 4000), requests);
        var services = new ServiceCollection().AddSingleton<IUsageSink>(sink).BuildServiceProvider();
        var builder = gate.AsBuilder().UseUsageMeter();
        if (cascade) builder.UseCascade(o => o.StartAtRequestTier = startAtTier);
        builder.UseTierRouting();
        using var client = builder.Build(services);

        var outcomes = new List<Outcome>();
        foreach (var r in requests)
        {
            var options = new ChatOptions { MaxOutputTokens = PromptTasks.TryGet(r.Class.Task, out var t) ? t.MaxOutputTokens : 500 };
            shape(r, options);
            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, r.Text)], options).ConfigureAwait(false);
            var cost = response.GetPromptOpsFeatures()!.CostUsd!.Value;
            outcomes.Add(new Outcome(r, cost, response.GetCascadeLevel() ?? -1, response.Text.StartsWith("ACCEPTABLE", StringComparison.Ordinal),
                response.GetCascadeAttempts() is { Count: > 1 }));
        }

        await services.DisposeAsync().ConfigureAwait(false);
        return new StrategyResult(name, outcomes.Sum(o => o.Cost), outcomes.Count(o => o.Accepted), cascade ? outcomes.Count(o => o.Escalated) : -1, gate.Calls, outcomes);
    }

    private static List<Request> BuildRequests(int count)
    {
        var list = new List<Request>(count);
        var filler = "The customer wrote about the order, the delivery, the invoice and the support they received last week. ";
        for (var i = 0; i < count; i++)
        {
            // Interleaved so that any prefix has the same mix: of every 20 requests, 12 simple, 5 medium, 3 complex.
            var slot = i % 20;
            var c = slot < 12 ? Classes[0] : slot < 17 ? Classes[1] : Classes[2];
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes("request-" + i.ToString(CultureInfo.InvariantCulture)));
            var difficulty = c.MinDifficulty + (int)(BitConverter.ToUInt32(hash, 0) % (uint)(c.MaxDifficulty - c.MinDifficulty));
            var text = new StringBuilder().Append("Request ").Append(i).Append(" (").Append(c.Task).Append("). ");
            while (text.Length < c.InputTokens * 4) text.Append(filler);
            list.Add(new Request(i, c, difficulty, text.ToString()));
        }

        return list;
    }

    // Wraps the simulated provider: the answer starts with ACCEPTABLE when the model's quality meets the request's difficulty.
    private sealed class QualityGate(SimulatedChatClient inner, List<Request> requests) : DelegatingChatClient(inner)
    {
        private int _calls;

        public int Calls => _calls;

        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            var list = messages.ToList();
            var index = int.Parse(list[^1].Text.Split(' ')[1], CultureInfo.InvariantCulture);
            var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
            var quality = ModelQuality.GetDefault(options?.ModelId) ?? throw new InvalidOperationException($"No quality score for {options?.ModelId}.");
            var verdict = quality >= requests[index].Difficulty ? "ACCEPTABLE " : "WEAK ";
            response.Messages[^1] = new ChatMessage(ChatRole.Assistant, verdict + response.Text);
            return response;
        }
    }
}
