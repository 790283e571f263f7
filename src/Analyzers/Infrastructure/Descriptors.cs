using Microsoft.CodeAnalysis;

namespace PromptOps.Analyzers.Infrastructure
{
    /// <summary>The PO0xxx cost diagnostics.</summary>
    internal static class Descriptors
    {
        public const string Category = "PromptOps.Cost";
        private const string HelpBase = "https://github.com/promptops/promptops/blob/main/docs/rules/";

        public static readonly DiagnosticDescriptor VerboseSystemPrompt = new DiagnosticDescriptor(
            "PO0001", "Verbose system prompt",
            "System prompt is {0} tokens ({1:0}% filler); at {2:N0} requests a month on {3} it costs about ${4:0.00} a month",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: "Every request pays for the system prompt. Remove filler, shorten instructions, or move details into the user message.",
            helpLinkUri: HelpBase + "PO0001.md");

        public static readonly DiagnosticDescriptor MissingOutputLimit = new DiagnosticDescriptor(
            "PO0002", "Missing output token limit",
            "{0} has no output token limit; set {1} (suggested: {2}) so a runaway answer cannot cost more than it should",
            Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            description: "Without a limit the model decides how long, and how expensive, the answer is.",
            helpLinkUri: HelpBase + "PO0002.md");
    }
}
