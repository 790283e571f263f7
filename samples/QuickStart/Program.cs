// PromptOps quick start: the runtime pipeline (usage meter → tier routing → response cache) over a provider.
// By default the provider is SIMULATED (deterministic answers, realistic token counts, catalogue prices), so this
// runs offline. Set PROMPTOPS_REDIS=127.0.0.1:6379 to add the Redis L2 cache.
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using PromptOps;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Simulation;
using PromptOps.Usage;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var provider = new SimulatedChatClient();
var ledger = new InMemoryUsageSink();

var services = new ServiceCollection();
services.AddPromptOps(o => o.Redis.Configuration = Environment.GetEnvironmentVariable("PROMPTOPS_REDIS"));
services.AddSingleton<IUsageSink>(ledger);
services.AddChatClient(provider).UsePromptOps();
await using var sp = services.BuildServiceProvider();
var chat = sp.GetRequiredService<IChatClient>();

Console.WriteLine("PromptOps quick start — provider: SIMULATED (no network, no API key; answers are placeholders)");
Console.WriteLine();

// A small support-desk trace: ticket classification (cheap tier, 10 output tokens), FAQ answers that users
// repeat (cached for a day), and per-user answers kept apart by cache scope.
var classify = new PromptOpsMetadata { PromptId = "Support.Classify", PromptVersion = "v1", Task = "classification", CacheTtl = CacheTtl.Static };
var faq = new PromptOpsMetadata { PromptId = "Support.Faq", PromptVersion = "v1", Task = "short_answer", CacheTtl = CacheTtl.Daily };

string[] tickets = ["My card was charged twice", "The app crashes on start", "I cannot log in", "My card was charged twice", "Where is my parcel?", "I cannot log in"];
string[] questions = ["How do I reset my password?", "What are your opening hours?", "How do I reset my password?", "Do you ship abroad?", "What are your opening hours?", "How do I reset my password?"];

foreach (var ticket in tickets)
{
    await Ask(chat, classify, "Classify the ticket as billing, technical, account or shipping. Answer with the label only.", ticket);
}

foreach (var question in questions)
{
    await Ask(chat, faq, "Answer the customer's question in one or two sentences.", question);
}

foreach (var user in new[] { "alice", "bob", "alice" })
{
    await Ask(chat, faq with { PromptId = "Support.MyOrders", CacheScope = user, UserId = user }, "Summarise this user's open orders.", "What are my open orders?");
}

// Report: what was spent, what the cache saved, and what the same trace costs with no PromptOps at all
// (every request to the best tier's model, no cache, no output limit).
var records = ledger.Snapshot();
var spent = records.Sum(r => r.CostUsd ?? 0m);
var saved = records.Sum(r => r.CostSavedUsd ?? 0m);
var naive = records.Sum(r => new PromptOps.Pricing.PriceCatalog().Cost(ModelTiers.GetDefaultModel(ModelTier.Best), r.InputTokens, 0, 500).Usd ?? 0m);
Console.WriteLine();
Console.WriteLine($"requests            {records.Count}");
Console.WriteLine($"provider calls      {provider.CallCount}");
Console.WriteLine($"cache hits          {records.Count(r => r.CacheLayer != CacheLayer.None)} (L1 {records.Count(r => r.CacheLayer == CacheLayer.Memory)}, L2 {records.Count(r => r.CacheLayer == CacheLayer.Distributed)})");
Console.WriteLine($"spent               ${spent:0.000000}");
Console.WriteLine($"saved by the cache  ${saved:0.000000}");
Console.WriteLine($"naive baseline      ${naive:0.000000}  (all to {ModelTiers.GetDefaultModel(ModelTier.Best)}, no cache, 500 output tokens each)");
Console.WriteLine($"saving vs naive     {(naive == 0 ? 0 : 1 - (spent / naive)):P1}");
foreach (var g in records.GroupBy(r => r.ModelId).OrderBy(g => g.Key, StringComparer.Ordinal))
{
    Console.WriteLine($"  {g.Key,-16} {g.Count(),3} requests  ${g.Sum(r => r.CostUsd ?? 0m):0.000000}");
}

static async Task Ask(IChatClient chat, PromptOpsMetadata meta, string system, string user)
{
    var options = new ChatOptions { MaxOutputTokens = PromptTasks.GetMaxOutputTokens(meta.Task) }.WithPromptOps(meta);
    var response = await chat.GetResponseAsync([new(ChatRole.System, system), new(ChatRole.User, user)], options);
    var layer = response.GetCacheLayer() switch
    {
        CacheLayer.Memory => "L1 hit ",
        CacheLayer.Distributed => "L2 hit ",
        _ => "provider",
    };
    Console.WriteLine($"[{layer}] {meta.PromptId,-17} {response.ModelId,-13} {user,-30} → {Shorten(response.Text)}");
}

static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
