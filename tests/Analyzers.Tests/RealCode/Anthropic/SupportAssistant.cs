// A support assistant on the Anthropic 13.15.0 API with a cached system prompt (cache_control on the system block).
using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Anthropic;
using Anthropic.Models.Messages;

namespace RealCode.Anthropic;

public sealed class SupportAssistant(AnthropicClient client)
{
    private const string Policy =
        "You are the support assistant of Contoso Cloud. Answer from the policy below, quote plan names exactly, never promise refunds " +
        "the policy does not allow, and hand over to a human when the customer asks for one or mentions a legal matter. Policy: paid " +
        "plans renew monthly; refunds within 14 days of a charge; data is kept 30 days after a cancellation.";

    // The date first: every request's prefix differs, so the marked breakpoint never produces a cache hit.
    public Task<Message> AnswerAsync(string customer, string question) => client.Messages.Create(new MessageCreateParams
    {
        MaxTokens = 600,
        System = new List<TextBlockParam>
        {
            new($"Today is {DateTime.UtcNow:yyyy-MM-dd}. The customer is {customer}. {Policy}") { CacheControl = new CacheControlEphemeral() }, // expect PO0005
        },
        Messages = [new UserMessageParam(question)],
        Model = Model.ClaudeSonnet4_6,
    });

    // Static policy first and cached; the changing values in a later block.
    public Task<Message> AnswerCachedAsync(string customer, string question) => client.Messages.Create(new MessageCreateParams
    {
        MaxTokens = 600,
        System = new List<TextBlockParam>
        {
            new(Policy) { CacheControl = new CacheControlEphemeral() },
            new($"Today is {DateTime.UtcNow:yyyy-MM-dd}. The customer is {customer}."),
        },
        Messages = [new UserMessageParam(question)],
        Model = Model.ClaudeSonnet4_6,
    });

    // A system message among the messages, built the same cache-defeating way.
    public Task<Message> EscalateAsync(string agent, string transcript) => client.Messages.Create(new MessageCreateParams
    {
        MaxTokens = 300,
        Messages =
        [
            new SystemMessageParam($"{agent} takes over this conversation. {Policy}"), // expect PO0005
            new UserMessageParam(transcript),
        ],
        Model = Model.ClaudeHaiku4_5,
    });
}
