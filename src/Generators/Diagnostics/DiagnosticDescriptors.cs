using Microsoft.CodeAnalysis;
using PromptOps.Generators.Parsing;

namespace PromptOps.Generators.Diagnostics
{
    /// <summary>The PO1xxx diagnostics about [Prompt] method declarations (reported by <see cref="PromptMethodAnalyzer"/>).</summary>
    internal static class DiagnosticDescriptors
    {
        public const string Category = "PromptOps.Declaration";
        private const string HelpBase = "https://github.com/promptops/promptops/blob/main/docs/rules/";

        public static readonly DiagnosticDescriptor MustBePartial = Create("PO1001", DiagnosticSeverity.Error,
            "[Prompt] method must be partial",
            "[Prompt] method '{0}' must be declared 'partial' with no body, so that PromptOps can write its body");

        public static readonly DiagnosticDescriptor HasBody = Create("PO1002", DiagnosticSeverity.Error,
            "[Prompt] method has a body",
            "[Prompt] method '{0}' already has a body; remove the implementation, PromptOps generates it");

        public static readonly DiagnosticDescriptor UnsupportedReturnType = Create("PO1003", DiagnosticSeverity.Error,
            "Unsupported [Prompt] return type",
            "[Prompt] method '{0}' returns '{1}'; use Task<T> or ValueTask<T> of string, bool, an enum, a number, a class or record (read as JSON) or PromptResult<T>, or IAsyncEnumerable<string> for streamed text");

        public static readonly DiagnosticDescriptor UnsupportedParameter = Create("PO1004", DiagnosticSeverity.Error,
            "Unsupported [Prompt] parameter",
            "Parameter '{0}' of [Prompt] method '{1}' is {2}; [Prompt] methods take plain by-value parameters");

        public static readonly DiagnosticDescriptor NoChatClient = Create("PO1005", DiagnosticSeverity.Error,
            "No IChatClient for a [Prompt] method",
            "[Prompt] method '{0}' has no IChatClient to call: add one field, property or primary-constructor parameter of type IChatClient to '{1}', or make the first parameter of a static method an IChatClient");

        public static readonly DiagnosticDescriptor SeveralChatClients = Create("PO1006", DiagnosticSeverity.Error,
            "Several IChatClients for a [Prompt] method",
            "[Prompt] method '{0}' could call any of {1}; keep exactly one IChatClient field, property or primary-constructor parameter in '{2}'");

        public static readonly DiagnosticDescriptor UnknownTask = Create("PO1007", DiagnosticSeverity.Error,
            "Unknown task",
            "Unknown task '{0}'; use one of: {1}");

        public static readonly DiagnosticDescriptor InvalidCacheTtl = Create("PO1008", DiagnosticSeverity.Error,
            "Invalid cache TTL",
            "{0}");

        public static readonly DiagnosticDescriptor UnknownPlaceholder = Create("PO1009", DiagnosticSeverity.Error,
            "Placeholder without a parameter",
            "The {0} template uses '{{{1}}}', but '{2}' has no parameter named '{1}'; rename the placeholder or add the parameter (write '{{{{' for a literal brace)");

        public static readonly DiagnosticDescriptor UnusedParameter = Create("PO1010", DiagnosticSeverity.Warning,
            "Parameter not used by the prompt",
            "Parameter '{0}' is not used by the System or User template of '{1}'; add '{{{0}}}' to a template, mark it [CacheScope], or remove it");

        public static readonly DiagnosticDescriptor InvalidSetting = Create("PO1011", DiagnosticSeverity.Error,
            "Invalid [Prompt] setting",
            "{0}");

        public static readonly DiagnosticDescriptor ConflictingSettings = Create("PO1012", DiagnosticSeverity.Warning,
            "Conflicting [Prompt] settings",
            "{0}");

        public static readonly DiagnosticDescriptor TypeMustBePartial = Create("PO1013", DiagnosticSeverity.Error,
            "Type containing a [Prompt] method must be partial",
            "Type '{0}' contains [Prompt] method '{1}' and must be declared 'partial'");

        public static readonly DiagnosticDescriptor MalformedTemplate = Create("PO1014", DiagnosticSeverity.Error,
            "Malformed prompt template",
            "The {0} template of '{1}' has {2} at position {3}; write '{{{{' or '}}}}' for a literal brace");

        public static readonly DiagnosticDescriptor EmptyPrompt = Create("PO1015", DiagnosticSeverity.Error,
            "Prompt has no text",
            "[Prompt] method '{0}' sets neither System nor User; give it at least a User template such as User = \"{{input}}\"");

        public static readonly DiagnosticDescriptor InvalidLength = Create("PO1016", DiagnosticSeverity.Error,
            "Invalid answer length",
            "{0}");

        public static readonly DiagnosticDescriptor LengthDoesNotFit = Create("PO1017", DiagnosticSeverity.Warning,
            "Answer length does not fit the output limit",
            "Length '{0}' of '{1}' takes about {2} tokens, more than MaxTokens {3} leaves room for with 20% margin, so answers will be cut off; set MaxTokens to at least {4} or ask for a shorter answer");

        public static readonly DiagnosticDescriptor[] All =
        {
            MustBePartial, HasBody, UnsupportedReturnType, UnsupportedParameter, NoChatClient, SeveralChatClients, UnknownTask,
            InvalidCacheTtl, UnknownPlaceholder, UnusedParameter, InvalidSetting, ConflictingSettings, TypeMustBePartial,
            MalformedTemplate, EmptyPrompt, InvalidLength, LengthDoesNotFit,
        };

        /// <summary>The descriptor of a problem the parser found.</summary>
        public static DiagnosticDescriptor For(PromptProblem problem) => problem switch
        {
            PromptProblem.MustBePartial => MustBePartial,
            PromptProblem.HasBody => HasBody,
            PromptProblem.UnsupportedReturnType => UnsupportedReturnType,
            PromptProblem.UnsupportedParameter => UnsupportedParameter,
            PromptProblem.NoChatClient => NoChatClient,
            PromptProblem.SeveralChatClients => SeveralChatClients,
            PromptProblem.UnknownTask => UnknownTask,
            PromptProblem.InvalidCacheTtl => InvalidCacheTtl,
            PromptProblem.UnknownPlaceholder => UnknownPlaceholder,
            PromptProblem.UnusedParameter => UnusedParameter,
            PromptProblem.InvalidSetting => InvalidSetting,
            PromptProblem.ConflictingSettings => ConflictingSettings,
            PromptProblem.TypeMustBePartial => TypeMustBePartial,
            PromptProblem.MalformedTemplate => MalformedTemplate,
            PromptProblem.EmptyPrompt => EmptyPrompt,
            PromptProblem.InvalidLength => InvalidLength,
            PromptProblem.LengthDoesNotFit => LengthDoesNotFit,
            _ => throw new System.ArgumentOutOfRangeException(nameof(problem), problem, null),
        };

        /// <summary>The diagnostic for one parser finding.</summary>
        public static Diagnostic ToDiagnostic(ParseDiagnostic finding) => Diagnostic.Create(For(finding.Problem), finding.Location, finding.Args);

        private static DiagnosticDescriptor Create(string id, DiagnosticSeverity severity, string title, string message) =>
            new DiagnosticDescriptor(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");
    }
}
