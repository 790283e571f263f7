using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using PromptOps.Usage;

namespace PromptOps.Routing.Batching;

/// <summary>
/// The provider batching instruments, on the PromptOps meter (<see cref="PromptOpsMetrics.MeterName"/>):
/// <list type="bullet">
/// <item><c>promptops.batch.batches</c> (counter, <c>{batch}</c>): batches that ended, tagged <c>promptops.batch.provider</c>
/// (<c>openai</c>, <c>anthropic</c>) and <c>promptops.batch.status</c> (the provider's last status: <c>completed</c>,
/// <c>expired</c>, <c>cancelled</c>, <c>failed</c>, <c>ended</c>, or <c>submit_failed</c>).</item>
/// <item><c>promptops.batch.items</c> (counter, <c>{item}</c>): deferred items by what became of them, tagged
/// <c>promptops.batch.provider</c> and <c>promptops.batch.outcome</c> (<c>queued</c>, <c>retried</c>, <c>to_caller</c>,
/// <c>to_handler</c>, <c>failed</c>, <c>undelivered</c>).</item>
/// </list>
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal static class BatchingMetrics
{
    private static readonly Meter Meter = new(PromptOpsMetrics.MeterName);

    private static readonly Counter<long> Batches = Meter.CreateCounter<long>("promptops.batch.batches", "{batch}", "Provider batches of deferrable calls that ended, by provider and status.");

    private static readonly Counter<long> Items = Meter.CreateCounter<long>("promptops.batch.items", "{item}", "Deferrable calls by what became of them: queued, retried, delivered to the caller or the handler, failed, kept undelivered.");

    public static void BatchEnded(BatchProviderKind provider, string status) =>
        Batches.Add(1, new KeyValuePair<string, object?>("promptops.batch.provider", Name(provider)), new KeyValuePair<string, object?>("promptops.batch.status", status));

    public static void ItemsCounted(BatchProviderKind provider, string outcome, long count = 1)
    {
        if (count > 0) Items.Add(count, new KeyValuePair<string, object?>("promptops.batch.provider", Name(provider)), new KeyValuePair<string, object?>("promptops.batch.outcome", outcome));
    }

    private static string Name(BatchProviderKind provider) => provider == BatchProviderKind.Anthropic ? "anthropic" : "openai";
}
