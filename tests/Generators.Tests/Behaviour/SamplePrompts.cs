using System.ComponentModel;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

// The generator runs on this file when the test project builds: these are real generated clients.
namespace PromptOps.Generators.Tests.Behaviour;

public enum TicketCategory
{
    Billing,
    [Description("Technical issue")]
    Technical,
    Account,
}

public sealed record Invoice(string Number, decimal Total);

public partial class TicketTriage(IChatClient chat)
{
    public const string Instructions = "Classify the support ticket.";

    [Prompt(Task = "classification", CacheTtl = "static", System = Instructions, User = "{ticket}")]
    public partial Task<TicketCategory> ClassifyAsync(string ticket, CancellationToken ct = default);

    [Prompt(Task = "yes_no", System = "Is the ticket " + "urgent?", User = """Ticket: "{ticket}" """)]
    public partial ValueTask<bool> IsUrgentAsync(string ticket);

    [Prompt(Task = "short_answer", User = "How many days since {date} until {days} more? {{not a placeholder}}")]
    public partial Task<int> CountAsync(DateTime date, double days);

    [Prompt(Task = "analysis", System = @"Extract the invoice as JSON.", User = "{document}", Tier = "high_quality", MaxTokens = 120, Temperature = 0)]
    public partial Task<PromptResult<Invoice>> ExtractAsync([MaxInputTokens(5)] string document, CancellationToken ct);

    [Prompt(Task = "summary", CacheTtl = "10m", User = "Summarize for {customer}: {items}", SemanticThreshold = 0.97)]
    public partial Task<string> SummarizeAsync(Invoice items, [CacheScope] string customer, [CacheScope] int tenant);

    [Prompt(Task = "article", User = "Write about {topic}.")]
    public partial IAsyncEnumerable<string> WriteAsync(string topic, [EnumeratorCancellation] CancellationToken ct = default);

    [Prompt(User = "{text}", MaxInputTokens = 8)]
    public partial Task<string> EchoAsync(string text);
}

public static partial class StaticPrompts
{
    [Prompt(Task = "translation", User = "Translate to {language}: {text}")]
    public static partial Task<string> TranslateAsync(IChatClient chat, string text, string language);
}

public partial class Outer<T>
{
    public partial record Inner(IChatClient Client)
    {
        [Prompt(User = "Describe {value}", Task = "sentiment")]
        public partial Task<decimal> ScoreAsync(T value);
    }
}

/// <summary>Overloads: unique generated member names, prompt ids and prompt versions (so cached answers stay apart).</summary>
public partial class OverloadedPrompts(IChatClient chat)
{
    [Prompt(Task = "summary", User = "Summarize: {text}")]
    public partial Task<string> SummarizeAsync(string text);

    [Prompt(Task = "summary", User = "Summarize: {text}")]
    public partial Task<string> SummarizeAsync(string text, [CacheScope] string tenant);

    [Prompt(Task = "summary", User = "Summarize in {words} words: {text}")]
    public partial Task<string> SummarizeAsync(string text, int words);
}

/// <summary>Replies cut off at the output limit (TruncationBehaviourTests) and raw-vs-generated requests.</summary>
public partial class ShortAnswers(IChatClient chat)
{
    [Prompt(Task = "short_answer", User = "{question}")]
    public partial Task<PromptResult<string>> AnswerAsync(string question);

    [Prompt(Task = "short_answer", User = "{question}", OnTruncation = "throw")]
    public partial Task<string> AnswerOrThrowAsync(string question);

    [Prompt(Task = "classification", User = "{ticket}", OnTruncation = "return")]
    public partial Task<TicketCategory> ClassifyWithoutRetryAsync(string ticket);

    [Prompt(Task = "classification", CacheTtl = "static", User = "{text}")]
    public partial Task<string> LabelAsync(string text);
}

/// <summary>Length guidance: from the task, scaled to MaxTokens, in Japanese, overridden and turned off.</summary>
public partial class LengthPrompts(IChatClient chat)
{
    [Prompt(Task = "short_answer", System = "You answer support questions.", User = "{question}")]
    public partial Task<string> AnswerAsync(string question);

    [Prompt(Task = "summary", User = "{text}を要約してください。")]
    public partial Task<string> SummarizeJapaneseAsync(string text);

    [Prompt(Task = "summary", MaxTokens = 100, User = "Summarize: {text}")]
    public partial Task<PromptResult<string>> SummarizeShortAsync(string text);

    [Prompt(Task = "short_answer", Length = "1 sentence", User = "{question}")]
    public partial Task<string> AnswerInSentencesAsync(string question);

    [Prompt(Task = "short_answer", Length = "", User = "{question}")]
    public partial Task<string> AnswerFreelyAsync(string question);

    [Prompt(Task = "classification", System = "Classify.", User = "{ticket}")]
    public partial Task<TicketCategory> ClassifyAsync(string ticket);
}

/// <summary>One generated method per kind of task, to compare with raw calls that name the same task.</summary>
public partial class SideBySidePrompts(IChatClient chat)
{
    [Prompt(Task = "classification", User = "{ticket}")]
    public partial Task<TicketCategory> ClassifyAsync(string ticket);

    [Prompt(Task = "yes_no", User = "{ticket}")]
    public partial Task<bool> IsUrgentAsync(string ticket);

    [Prompt(Task = "summary", User = "{text}")]
    public partial Task<string> SummarizeAsync(string text);

    [Prompt(Task = "translation", User = "{text}")]
    public partial Task<string> TranslateAsync(string text);

    [Prompt(Task = "contract_analysis", User = "{text}")]
    public partial Task<string> AnalyzeAsync(string text);
}

/// <summary>A number with a range: the prompt states it and a reply outside it is escalated.</summary>
public partial class RatingPrompts(IChatClient chat)
{
    [Prompt(Task = "short_answer", Minimum = 1, Maximum = 5, User = "How satisfied is this customer? {ticket}")]
    public partial Task<int> RateAsync(string ticket);
}
