using System.ComponentModel;
using Microsoft.Extensions.AI;
using PromptOps;

namespace SupportTriage;

/// <summary>What a ticket is about.</summary>
public enum TicketCategory
{
    Billing,
    Technical,
    Account,
    Shipping,
    [Description("Other")] Other,
}

/// <summary>
/// The support desk's prompts. The PromptOps generator writes each body: the messages, the task's output limit
/// (classification 10 tokens, yes_no 3, summary 200, short_answer 50), the routing tier, the cache TTL and scope and a
/// prompt version, the call, and the typed result.
/// </summary>
public partial class SupportDesk(IChatClient chat)
{
    [Prompt(Task = "classification", CacheTtl = "static",
            System = "Classify the support ticket by what it is about.", User = "{ticket}")]
    public partial Task<TicketCategory> ClassifyAsync(string ticket, CancellationToken cancellationToken = default);

    [Prompt(Task = "yes_no", CacheTtl = "static",
            System = "Does the ticket need an answer within the hour (outage, payment failure, locked account)?", User = "{ticket}")]
    public partial Task<bool> IsUrgentAsync(string ticket, CancellationToken cancellationToken = default);

    [Prompt(Task = "summary", CacheTtl = "daily",
            System = "Summarize the ticket for the agent who picks it up: the problem, what the customer tried, what they want.",
            User = "{ticket}")]
    public partial Task<PromptResult<string>> SummarizeAsync(string ticket, CancellationToken cancellationToken = default);

    [Prompt(Task = "short_answer", CacheTtl = "daily",
            System = "Answer the customer's question from the help centre, in two sentences at most.", User = "{question}")]
    public partial Task<string> AnswerFaqAsync(string question, CancellationToken cancellationToken = default);

    /// <summary>An answer about the user's own account: cached per user only (the scope is part of the cache key).</summary>
    [Prompt(Task = "short_answer", CacheTtl = "realtime",
            System = "Answer the customer's question about their own account, in one sentence.", User = "{question}")]
    public partial Task<string> AnswerAccountAsync(string question, [CacheScope] string userId, CancellationToken cancellationToken = default);
}
