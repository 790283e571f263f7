using System.Globalization;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using PromptOps.Caching;
using PromptOps.Caching.Semantic;
using PromptOps.Semantic.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PromptOps.Semantic.Tests.Evaluation;

/// <summary>
/// The labelled evaluation of the semantic layer (Evaluation/pairs.tsv, ≥ 300 pairs) with the real MiniLM model, run
/// through <see cref="PromptCacheChatClient"/>: text A is asked and answered, then text B; B's answer coming from the
/// semantic layer is a hit. The figures printed here are the ones in docs/runtime.md ("Semantic cache").
/// </summary>
public sealed class SemanticEvaluationTests(ITestOutputHelper output)
{
    private const string System = "You are the support assistant of an online shop. Answer briefly.";

    [Fact]
    public void The_labelled_set_has_at_least_300_pairs_of_every_kind()
    {
        var pairs = LabelledPairs.Load();
        Assert.True(pairs.Count >= 300, $"{pairs.Count} pairs");
        Assert.True(pairs.Count(p => p.Same && p.Category == "paraphrase") >= 100);
        foreach (var category in new[] { "opposite", "negation", "entity", "number", "hard", "unrelated", "japanese" })
        {
            Assert.True(pairs.Count(p => p.Category == category) >= 10, category);
        }
    }

    [Fact]
    public async Task At_the_default_threshold_false_hits_stay_at_or_under_one_percent()
    {
        var pairs = LabelledPairs.Load();
        var outcomes = new List<(LabelledPair Pair, bool Hit)>();
        foreach (var pair in pairs)
        {
            outcomes.Add((pair, await IsHitAsync(pair.Stored, pair.Asked, storedScope: null, askedScope: null)));
        }

        var hits = outcomes.Count(o => o.Hit);
        var trueHits = outcomes.Count(o => o.Hit && o.Pair.Same);
        var falseHits = hits - trueHits;
        var englishSame = outcomes.Count(o => o.Pair.Same && o.Pair.Category != "japanese");
        var precision = hits == 0 ? 1 : (double)trueHits / hits;
        var recall = (double)trueHits / englishSame;

        output.WriteLine($"threshold {SemanticCacheOptions.DefaultThreshold.ToString(CultureInfo.InvariantCulture)}: {pairs.Count} pairs, {hits} hits, {trueHits} true, {falseHits} false");
        output.WriteLine($"precision {precision:P1}, false-hit rate {1 - precision:P1}, recall (English paraphrases) {recall:P1}");
        foreach (var group in outcomes.GroupBy(o => (o.Pair.Same, o.Pair.Category)))
        {
            output.WriteLine($"  {(group.Key.Same ? "same" : "different"),-9} {group.Key.Category,-10} {group.Count(),4} pairs, {group.Count(o => o.Hit),4} hits");
        }

        foreach (var o in outcomes.Where(o => o.Hit != o.Pair.Same && o.Pair.Category != "japanese"))
        {
            output.WriteLine($"  {(o.Hit ? "FALSE HIT" : "missed   ")} line {o.Pair.Line}: {o.Pair.Stored} | {o.Pair.Asked}");
        }

        Assert.True(1 - precision <= 0.01, $"false-hit rate {1 - precision:P2} ({falseHits} of {hits} hits)");
        // The layer must also be useful: a broken embedding or index would make this fail.
        Assert.True(recall >= 0.85, $"recall {recall:P1}");
        Assert.DoesNotContain(outcomes, o => o.Hit && o.Pair.Category == "japanese");
    }

    [Fact]
    public void Threshold_sweep_on_the_labelled_set()
    {
        // Not the cache path: similarity, representability and guards directly, to show how the default was chosen.
        var g = MiniLm.Generator;
        var rows = LabelledPairs.Load()
            .Where(p => g.CanRepresent(p.Stored) && g.CanRepresent(p.Asked))
            .Select(p => (Pair: p, Cos: TensorPrimitives.Dot(g.Embed(p.Stored), g.Embed(p.Asked)), Guard: SemanticGuards.AreCompatible(p.Asked, p.Stored, out _)))
            .ToList();
        var positives = rows.Count(r => r.Pair.Same);
        output.WriteLine("threshold | hits | false hits | precision | recall | false hits without guards");
        for (var t = 0.70; t < 0.99; t += 0.03)
        {
            var hits = rows.Where(r => r.Guard && r.Cos >= t).ToList();
            var fp = hits.Count(r => !r.Pair.Same);
            var raw = rows.Count(r => r.Cos >= t && !r.Pair.Same);
            var recall = (double)hits.Count(r => r.Pair.Same) / positives;
            output.WriteLine($"{t:F2} | {hits.Count} | {fp} | {(hits.Count == 0 ? 1 : 1 - ((double)fp / hits.Count)):P1} | {recall:P1} | {raw}");
        }

        // Without the guards the same model and threshold would hit many hard negatives: the guards are doing real work.
        var unguarded = rows.Count(r => r.Cos >= SemanticCacheOptions.DefaultThreshold && !r.Pair.Same);
        var guarded = rows.Count(r => r.Guard && r.Cos >= SemanticCacheOptions.DefaultThreshold && !r.Pair.Same);
        Assert.True(unguarded > 20, $"{unguarded} false hits without the guards");
        Assert.True(guarded < unguarded / 2, $"the guards leave {guarded} of {unguarded} false hits");
    }

    [Fact]
    public async Task No_pair_hits_across_cache_scopes()
    {
        var crossScopeHits = 0;
        var sameScopeHits = 0;
        foreach (var pair in LabelledPairs.Load().Where(p => p.Same && p.Category == "paraphrase"))
        {
            if (await IsHitAsync(pair.Stored, pair.Asked, "tenant-a", "tenant-b")) crossScopeHits++;
            if (await IsHitAsync(pair.Stored, pair.Asked, "tenant-a", null)) crossScopeHits++;
            if (await IsHitAsync(pair.Stored, pair.Asked, null, "tenant-b")) crossScopeHits++;
            if (await IsHitAsync(pair.Stored, pair.Asked, "tenant-a", "tenant-a")) sameScopeHits++;
        }

        Assert.Equal(0, crossScopeHits);
        Assert.True(sameScopeHits > 80, $"{sameScopeHits} same-scope hits: the scope test would be vacuous without hits inside a scope");
    }

    private static async Task<bool> IsHitAsync(string stored, string asked, string? storedScope, string? askedScope)
    {
        using var provider = new EchoChatClient();
        using var cache = new PromptCacheChatClient(provider, new PromptCacheOptions { Semantic = { Enabled = true, VerifyFraction = 0 } },
            embeddingGenerator: MiniLm.Generator);
        await cache.GetResponseAsync([new(ChatRole.System, System), new(ChatRole.User, stored)], Options(storedScope));
        var response = await cache.GetResponseAsync([new(ChatRole.System, System), new(ChatRole.User, asked)], Options(askedScope));
        var hit = response.GetCacheLayer() == CacheLayer.Semantic;
        Assert.Equal(hit ? 1 : 2, provider.Calls);
        return hit;
    }

    private static ChatOptions Options(string? scope) => new ChatOptions { ModelId = "gpt-4o-mini" }.WithPromptOps(new PromptOpsMetadata { CacheScope = scope });
}
