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
    /// promptops.max_filler_share = 0.3
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
        public const double DefaultMaxFillerShare = 0.3;
        public const int DefaultMonthlyRequests = 10_000;
        public const int DefaultMaxOutputTokens = 500;
        public const int DefaultMaxInputTokensValue = 2000;
        public const int DefaultMinCacheablePrefixTokens = 32;
        public const int DefaultSimpleTaskMaxOutputTokens = 10;
        public const int DefaultMinRepeatedPromptTokens = 30;

        private AnalyzerSettings(int maxSystemPromptTokens, double maxFillerShare, int monthlyRequests, int defaultMaxOutputTokens, int defaultMaxInputTokens, int minCacheablePrefixTokens, int simpleTaskMaxOutputTokens, int minRepeatedPromptTokens)
        {
            SimpleTaskMaxOutputTokens = simpleTaskMaxOutputTokens;
            MinRepeatedPromptTokens = minRepeatedPromptTokens;
            DefaultMaxInputTokens = defaultMaxInputTokens;
            MinCacheablePrefixTokens = minCacheablePrefixTokens;
            MaxSystemPromptTokens = maxSystemPromptTokens;
            MaxFillerShare = maxFillerShare;
            MonthlyRequests = monthlyRequests;
            DefaultMaxOutput = defaultMaxOutputTokens;
        }

        public int MaxSystemPromptTokens { get; }

        public double MaxFillerShare { get; }

        public int MonthlyRequests { get; }

        public int DefaultMaxOutput { get; }

        public int DefaultMaxInputTokens { get; }

        public int MinCacheablePrefixTokens { get; }

        public int SimpleTaskMaxOutputTokens { get; }

        public int MinRepeatedPromptTokens { get; }

        public static AnalyzerSettings For(AnalyzerConfigOptionsProvider provider, SyntaxTree tree)
        {
            var options = provider.GetOptions(tree);
            var global = provider.GlobalOptions;
            return new AnalyzerSettings(
                ReadInt(options, global, "promptops.max_system_prompt_tokens", "PromptOpsMaxSystemPromptTokens", DefaultMaxSystemPromptTokens),
                ReadDouble(options, global, "promptops.max_filler_share", "PromptOpsMaxFillerShare", DefaultMaxFillerShare),
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
