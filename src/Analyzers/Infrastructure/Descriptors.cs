using Microsoft.CodeAnalysis;

namespace PromptOps.Analyzers.Infrastructure
{
    /// <summary>The PO0xxx cost diagnostics.</summary>
    internal static class Descriptors
    {
        public const string Category = "PromptOps.Cost";
        private const string HelpBase = "https://github.com/promptops/promptops/blob/main/docs/rules/";

        /// <summary>
        /// PO0001. Warning by default; the analyzer reports it with an effective severity of Info (an IDE suggestion with the
        /// same fix) when the fix saves less than the configured tokens or share and the prompt is within the size limit.
        /// </summary>
        public static readonly DiagnosticDescriptor VerboseSystemPrompt = new DiagnosticDescriptor(
            "PO0001", "Verbose system prompt",
            "System prompt {0} → {1} tokens with the compress fix ({2:0}% less){3}; at {4:N0} requests a month on {5} that saves about ${6:0.00} of ${7:0.00} a month",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: "Every request pays for the system prompt. Remove filler, shorten instructions, or move details into the user message.",
            helpLinkUri: HelpBase + "PO0001.md");

        public static readonly DiagnosticDescriptor MissingOutputLimit = new DiagnosticDescriptor(
            "PO0002", "Missing output token limit",
            "{0} has no output token limit; set {1} (suggested: {2}) so a runaway answer cannot cost more than it should",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: "Without a limit the model decides how long, and how expensive, the answer is.",
            helpLinkUri: HelpBase + "PO0002.md");
    

        /// <summary>
        /// PO0002 where the limit is required (Anthropic's Messages API: <c>max_tokens</c>): a constant limit far above the
        /// length the prompt itself asks for. Same id as <see cref="MissingOutputLimit"/>, its own message.
        /// </summary>
        public static readonly DiagnosticDescriptor LooseOutputLimit = new DiagnosticDescriptor(
            "PO0002", "Missing output token limit",
            "{0} sets {1} = {2}, {3:0}x the {4} tokens enough here ({5}); an answer longer than asked for is billed in full and a budget reserves the whole limit, so set {1} = {4}",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: "A required limit copied from an example (1024, 4096, 8192) does not bound a one-word answer.",
            helpLinkUri: HelpBase + "PO0002.md");

        public static readonly DiagnosticDescriptor ExpensiveModel = new DiagnosticDescriptor(
            "PO0003", "Expensive model for a simple task",
            "{0} uses {1} (tier {2}) for a {3} task, which the {4} tier ({5}) handles; that is about {6:0}x the input price",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: "Route simple tasks to the cheap tier; keep the expensive models for the work that needs them.",
            helpLinkUri: HelpBase + "PO0003.md");

        public static readonly DiagnosticDescriptor PersonalDataInSharedCache = new DiagnosticDescriptor(
            "PO0004", "Personal data in a shared cache",
            "Parameter '{0}' of cached prompt '{1}' looks like personal data; mark it [CacheScope] so cached answers are never shared across people, or set CacheTtl = \"none\"",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            helpLinkUri: HelpBase + "PO0004.md");

        public static readonly DiagnosticDescriptor CacheUnfriendlyLayout = new DiagnosticDescriptor(
            "PO0005", "Layout that defeats provider prompt caching",
            "The {0} starts with a value that changes per request ({1}) ahead of {2} tokens of static text; put the static text first so providers can cache the identical prefix",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            helpLinkUri: HelpBase + "PO0005.md");

        public static readonly DiagnosticDescriptor UnboundedInput = new DiagnosticDescriptor(
            "PO0006", "Unbounded input",
            "String parameter '{0}' goes into prompt '{1}' with no limit; add [MaxInputTokens({2})] so one huge input cannot cost more than it should",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            helpLinkUri: HelpBase + "PO0006.md");

        public static readonly DiagnosticDescriptor RepeatedSystemPrompt = new DiagnosticDescriptor(
            "PO0007", "Repeated system prompt",
            "This {0}-token system prompt is written out at {1} call sites; put it in one const so the prefix stays identical (and cacheable) and its cost lives in one place",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            helpLinkUri: HelpBase + "PO0007.md", customTags: WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor CostEstimate = new DiagnosticDescriptor(
            "PO0008", "Cost estimate",
            "'{0}': about {1} input tokens (static text) + up to {2} output tokens on {3} ≈ ${4:0.000000} per call, ${5:0.00} per {6:N0} calls",
            Category, DiagnosticSeverity.Info, isEnabledByDefault: true,
            helpLinkUri: HelpBase + "PO0008.md");

        public static readonly DiagnosticDescriptor TimeSensitivePromptCachedLong = new DiagnosticDescriptor(
            "PO0009", "Time-sensitive prompt cached for long",
            "Time-sensitive prompt cached for {0}: the {1} template of '{2}' asks about the present ('{3}'); set CacheTtl = \"realtime\" so its answers do not go stale",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: "An answer about today, the current state or the latest version goes stale; the runtime caches such requests for the short TTL anyway, so the long TTL is never what happens.",
            helpLinkUri: HelpBase + "PO0009.md");

        public static readonly DiagnosticDescriptor StaticInstructionsInUserMessage = new DiagnosticDescriptor(
            "PO0010", "Large static instructions in a user message",
            "This user message carries {0} tokens of constant instructions{1}, billed in full with every call ({2:N0} requests a month on {3}: about ${4:0.00}) and not cacheable behind the per-call text; move them to the system message",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: "Instructions that never change belong in the system message: a stable prefix that providers cache at a fraction of the price, written once.",
            helpLinkUri: HelpBase + "PO0010.md");

        public static readonly DiagnosticDescriptor GrowingConversationHistory = new DiagnosticDescriptor(
            "PO0011", "Conversation history sent whole on every turn",
            "'{0}' grows {1} and is sent whole with every call, so each turn pays again for every turn before it; keep the conversation under a token budget (.UseConversationBudget(…) on the client's pipeline, or a chat reducer)",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: "A multi-turn conversation that resends its whole history costs more with every turn: input tokens grow with the turn number and the conversation's total grows with its square. Drop or summarize the oldest turns.",
            helpLinkUri: HelpBase + "PO0011.md");
    }
}
