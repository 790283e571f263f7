using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PromptOps;

using PromptOps.Conversations;

/// <summary><c>UseConversationBudget</c>: keeps a conversation's requests under a token budget (<see cref="ConversationBudgetChatClient"/>).</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public static class ConversationBudgetChatClientBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="ConversationBudgetChatClient"/> with a budget of <paramref name="maxInputTokens"/> input tokens per request.
    /// Call it first, before <c>UsePromptOps()</c>, so the summary call and the cut history go through the whole pipeline.
    /// Options start from a registered <c>IOptions&lt;ConversationBudgetOptions&gt;</c>, if any; <paramref name="configure"/>
    /// adjusts a copy. Invalid options throw when the client is built, naming the bad value.
    /// </summary>
    public static ChatClientBuilder UseConversationBudget(this ChatClientBuilder builder, int maxInputTokens, Action<ConversationBudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseConversationBudget(options =>
        {
            options.MaxInputTokens = maxInputTokens;
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// Adds <see cref="ConversationBudgetChatClient"/> with the registered options (<c>IOptions&lt;ConversationBudgetOptions&gt;</c>,
    /// if any) adjusted by <paramref name="configure"/>; <see cref="ConversationBudgetOptions.MaxInputTokens"/> must end up positive.
    /// </summary>
    public static ChatClientBuilder UseConversationBudget(this ChatClientBuilder builder, Action<ConversationBudgetOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = services.GetService<IOptions<ConversationBudgetOptions>>()?.Value.Clone() ?? new ConversationBudgetOptions();
            configure?.Invoke(options);
            var meterFactory = services.GetService<IMeterFactory>();
            // The layer counts every request exactly (a bound would trim what fits): start loading the tokenizer of the
            // named model now, so that the first request does not load it (~0.4–0.7 s). With no TokenizerModelId the
            // request's model decides, known only then.
            if (Tokens.TokenCounters.GetEncodingName(options.TokenizerModelId) is { } encoding)
            {
                (services.GetService<Tokens.TokenizerWarmup>() ?? Tokens.TokenizerWarmup.Shared).Start(encoding);
            }

            return new ConversationBudgetChatClient(inner, options, meterFactory is null ? null : new ConversationMetrics(meterFactory),
                services.GetService<ILoggerFactory>()?.CreateLogger<ConversationBudgetChatClient>());
        });
    }
}
