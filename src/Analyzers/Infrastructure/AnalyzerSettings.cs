using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PromptOps.Analyzers.Infrastructure
{
    /// <summary>
    /// Thresholds read from <c>.editorconfig</c> (per file), else from the project's MSBuild properties
    /// (<c>&lt;PromptOpsMaxSystemPromptTokens&gt;150&lt;/PromptOpsMaxSystemPromptTokens&gt;</c>, …), else the defaults, e.g.
    /// <code>
    /// [*.cs]
    /// promptops.max_system_prompt_tokens = 200
    /// promptops.po0001.min_saved_tokens = 20
    /// promptops.po0001.min_saved_share = 0.15
    /// promptops.monthly_requests = 10000
    /// promptops.default_max_output_tokens = 500
    /// promptops.default_max_input_tokens = 2000
    /// promptops.min_cacheable_prefix_tokens = 32
    /// promptops.simple_task_max_output_tokens = 10
    /// promptops.min_repeated_prompt_tokens = 30
    /// </code>
    /// </summary>
    internal readonly struct AnalyzerSettings
    {
        public const int DefaultMaxSystemPromptTokens = 200;
        /// <summary>
        /// PO0001 is a warning when the compress fix saves at least this many tokens per request. 20 tokens is a whole
        /// sentence of filler (a greeting, a thank-you, "Please make sure that you always…"); below it the saving is a few
        /// words and belongs in an IDE suggestion, not in a build that may treat warnings as errors.
        /// </summary>
        public const int DefaultMinSavedTokens = 20;
        /// <summary>
        /// PO0001 is also a warning when the fix saves at least this share of a short prompt (and at least
        /// <see cref="MinSavedTokensForShare"/> tokens): 15% is about what the compressor takes from a verbose prompt written by
        /// someone else, while a concise prompt loses at most 2% (the compressor's goals in issue #14).
        /// </summary>
        public const double DefaultMinSavedShare = 0.15;
        /// <summary>The share rule needs at least this many tokens saved, so a 10-token prompt losing one word stays a suggestion.</summary>
        public const int MinSavedTokensForShare = 5;
        /// <summary>
        /// PO0010: a user message whose constant part is longer than this is an instruction block. 150 tokens is about a
        /// paragraph of rules: the framing of a question ("Summarize the following text in three bullet points:") stays far
        /// below it, while the game-rules block of issue #14 is 410 tokens.
        /// </summary>
        public const int DefaultMaxUserStaticTokens = 150;
        public const int DefaultMonthlyRequests = 10_000;
        public const int DefaultMaxOutputTokens = 500;
        public const int DefaultMaxInputTokensValue = 2000;
        public const int DefaultMinCacheablePrefixTokens = 32;
        public const int DefaultSimpleTaskMaxOutputTokens = 10;
        public const int DefaultMinRepeatedPromptTokens = 30;

        private AnalyzerSettings(int maxSystemPromptTokens, int minSavedTokens, double minSavedShare, int maxUserStaticTokens, int monthlyRequests, int defaultMaxOutputTokens, int defaultMaxInputTokens, int minCacheablePrefixTokens, int simpleTaskMaxOutputTokens, int minRepeatedPromptTokens)
        {
            SimpleTaskMaxOutputTokens = simpleTaskMaxOutputTokens;
            MinRepeatedPromptTokens = minRepeatedPromptTokens;
            DefaultMaxInputTokens = defaultMaxInputTokens;
            MinCacheablePrefixTokens = minCacheablePrefixTokens;
            MaxSystemPromptTokens = maxSystemPromptTokens;
            MinSavedTokens = minSavedTokens;
            MinSavedShare = minSavedShare;
            MaxUserStaticTokens = maxUserStaticTokens;
            MonthlyRequests = monthlyRequests;
            DefaultMaxOutput = defaultMaxOutputTokens;
        }

        public int MaxSystemPromptTokens { get; }

        /// <summary>PO0001: tokens the compress fix must save for a warning (<c>promptops.po0001.min_saved_tokens</c>).</summary>
        public int MinSavedTokens { get; }

        /// <summary>
        /// PO0001: share the compress fix must save for a warning (<c>promptops.po0001.min_saved_share</c>; the old
        /// <c>promptops.max_filler_share</c>, which measured the same share, is read when the new key is not set).
        /// </summary>
        public double MinSavedShare { get; }

        /// <summary>PO0010: static tokens in a user message above which the rule fires (<c>promptops.max_user_static_tokens</c>).</summary>
        public int MaxUserStaticTokens { get; }

        public int MonthlyRequests { get; }

        public int DefaultMaxOutput { get; }

        public int DefaultMaxInputTokens { get; }

        public int MinCacheablePrefixTokens { get; }

        public int SimpleTaskMaxOutputTokens { get; }

        public int MinRepeatedPromptTokens { get; }

        /// <summary>The defaults, as a project with no configuration gets them.</summary>
        public static AnalyzerSettings Defaults => new AnalyzerSettings(DefaultMaxSystemPromptTokens, DefaultMinSavedTokens, DefaultMinSavedShare, DefaultMaxUserStaticTokens,
            DefaultMonthlyRequests, DefaultMaxOutputTokens, DefaultMaxInputTokensValue, DefaultMinCacheablePrefixTokens, DefaultSimpleTaskMaxOutputTokens, DefaultMinRepeatedPromptTokens);

        public static AnalyzerSettings For(AnalyzerConfigOptionsProvider provider, SyntaxTree tree)
        {
            var options = provider.GetOptions(tree);
            var global = provider.GlobalOptions;
            return new AnalyzerSettings(
                ReadInt(options, global, "promptops.max_system_prompt_tokens", "PromptOpsMaxSystemPromptTokens", DefaultMaxSystemPromptTokens),
                ReadInt(options, global, "promptops.po0001.min_saved_tokens", "PromptOpsMinSavedTokens", DefaultMinSavedTokens),
                ReadDouble(options, global, "promptops.po0001.min_saved_share", "PromptOpsMinSavedShare",
                    ReadDouble(options, global, "promptops.max_filler_share", "PromptOpsMaxFillerShare", DefaultMinSavedShare)),
                ReadInt(options, global, "promptops.max_user_static_tokens", "PromptOpsMaxUserStaticTokens", DefaultMaxUserStaticTokens),
                ReadInt(options, global, "promptops.monthly_requests", "PromptOpsMonthlyRequests", DefaultMonthlyRequests),
                ReadInt(options, global, "promptops.default_max_output_tokens", "PromptOpsDefaultMaxOutputTokens", DefaultMaxOutputTokens),
                ReadInt(options, global, "promptops.default_max_input_tokens", "PromptOpsDefaultMaxInputTokens", DefaultMaxInputTokensValue),
                ReadInt(options, global, "promptops.min_cacheable_prefix_tokens", "PromptOpsMinCacheablePrefixTokens", DefaultMinCacheablePrefixTokens),
                ReadInt(options, global, "promptops.simple_task_max_output_tokens", "PromptOpsSimpleTaskMaxOutputTokens", DefaultSimpleTaskMaxOutputTokens),
                ReadInt(options, global, "promptops.min_repeated_prompt_tokens", "PromptOpsMinRepeatedPromptTokens", DefaultMinRepeatedPromptTokens));
        }

        /// <summary>
        /// The <c>.editorconfig</c> key for the file, else the MSBuild property of the project (made visible to the compiler
        /// by the package's <c>PromptOps.props</c> as <c>build_property.{name}</c>), else null.
        /// </summary>
        private static string? Read(AnalyzerConfigOptions options, AnalyzerConfigOptions global, string key, string property)
        {
            if (options.TryGetValue(key, out var text) && !string.IsNullOrWhiteSpace(text)) return text;
            return global.TryGetValue("build_property." + property, out text) && !string.IsNullOrWhiteSpace(text) ? text : null;
        }

        private static int ReadInt(AnalyzerConfigOptions options, AnalyzerConfigOptions global, string key, string property, int fallback) =>
            Read(options, global, key, property) is { } text && int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : fallback;

        private static double ReadDouble(AnalyzerConfigOptions options, AnalyzerConfigOptions global, string key, string property, double fallback) =>
            Read(options, global, key, property) is { } text && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= 1
                ? value
                : fallback;
    }
}
