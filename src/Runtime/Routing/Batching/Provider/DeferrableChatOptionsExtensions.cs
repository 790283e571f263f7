using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using PromptOps.Routing.Batching;

namespace PromptOps;

/// <summary>Marks a raw <see cref="IChatClient"/> call as deferrable: it may wait for the provider's batch API, at the batch discount.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public static class DeferrableChatOptionsExtensions
{
    /// <summary>
    /// Marks the call as deferrable (<see cref="PromptOpsMetadata.Deferrable"/>, kept with any metadata already attached) and
    /// returns the options. With batching registered (<c>services.AddPromptOpsBatching(…)</c>), the call goes into a provider
    /// batch, its task completes when the batch has answered — up to the provider's completion window (24 hours) — and the
    /// usage meter prices it at the batch rate; without batching, the call is made at once and priced in full:
    /// <code>var reply = await client.GetResponseAsync(messages, new ChatOptions().Deferrable("ticket-42"));</code>
    /// </summary>
    /// <param name="options">The call's options (modified).</param>
    /// <param name="key">The caller's name for the call, given back to the results handler (<see cref="IProviderBatchResultHandler"/>)
    /// when the result arrives after the process that asked has stopped.</param>
    public static ChatOptions Deferrable(this ChatOptions options, string? key = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meta = options.GetPromptOps() ?? new PromptOpsMetadata();
        return options.WithPromptOps(meta with { Deferrable = true, DeferralKey = key ?? meta.DeferralKey });
    }
}
