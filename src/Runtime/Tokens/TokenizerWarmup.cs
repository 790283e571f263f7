using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using PromptOps.Budgets;

namespace PromptOps.Tokens;

/// <summary>
/// Loads the exact tokenizers the budget and plan layers will count with on a thread-pool thread when the pipeline is
/// built, so the first request does not pay for it (creating an encoding takes ~0.4–0.7 s). Only when budgets or plans are
/// on, and only the encodings of the routed models (<c>PromptOps:Routing:Models</c>) that have one: a Claude-only table
/// loads nothing. Each encoding is warmed once per process (the counters are process-wide).
/// </summary>
internal sealed class TokenizerWarmup
{
    /// <summary>The one the pipeline uses unless the container holds another (tests register their own to observe it).</summary>
    public static readonly TokenizerWarmup Shared = new();

    private readonly ConcurrentDictionary<string, Task> _started = new(StringComparer.Ordinal);

    /// <summary>The encodings this instance has started to load, in no particular order.</summary>
    public ICollection<string> Started => _started.Keys;

    /// <summary>The encodings a pipeline with <paramref name="options"/> counts with before calls (budgets, plans); empty when neither is on.</summary>
    public static IReadOnlyList<string> EncodingsFor(PromptOpsOptions options, bool hasLimitProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Budget.IsConfigured && !hasLimitProvider && !options.Plans.Enabled) return [];
        return [.. options.Routing.Resolve().Select(TokenCounters.GetEncodingName).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>Starts loading what <paramref name="options"/> needs (see <see cref="EncodingsFor"/>); the task completes when all of it is loaded, null when nothing is needed.</summary>
    public Task? Start(PromptOpsOptions options, IServiceProvider services)
    {
        var encodings = EncodingsFor(options, services.GetService<IBudgetLimitProvider>() is not null);
        if (encodings.Count == 0) return null;
        return Task.WhenAll(encodings.Select(Start));
    }

    /// <summary>Starts loading <paramref name="encoding"/> (o200k_base, cl100k_base) unless this instance already has; the task completes when it is loaded.</summary>
    public Task Start(string encoding) => _started.GetOrAdd(encoding, static e => Task.Run(() => Load(e)));

    /// <summary>The load of <paramref name="encoding"/> this instance started, or null when it started none.</summary>
    public Task? WhenLoaded(string encoding) => _started.TryGetValue(encoding, out var task) ? task : null;

    private static void Load(string encoding) => _ = encoding == "cl100k_base" ? TiktokenTokenCounter.Cl100k : TiktokenTokenCounter.O200k;
}
