using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PromptOps.Analyzers.Infrastructure
{
    /// <summary>
    /// Thresholds read from <c>.editorconfig</c> (per file), e.g.
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
            return new AnalyzerSettings(
                ReadInt(options, "promptops.max_system_prompt_tokens", DefaultMaxSystemPromptTokens),
                ReadDouble(options, "promptops.max_filler_share", DefaultMaxFillerShare),
                ReadInt(options, "promptops.monthly_requests", DefaultMonthlyRequests),
                ReadInt(options, "promptops.default_max_output_tokens", DefaultMaxOutputTokens),
                ReadInt(options, "promptops.default_max_input_tokens", DefaultMaxInputTokensValue),
                ReadInt(options, "promptops.min_cacheable_prefix_tokens", DefaultMinCacheablePrefixTokens),
                ReadInt(options, "promptops.simple_task_max_output_tokens", DefaultSimpleTaskMaxOutputTokens),
                ReadInt(options, "promptops.min_repeated_prompt_tokens", DefaultMinRepeatedPromptTokens));
        }

        private static int ReadInt(AnalyzerConfigOptions options, string key, int fallback) =>
            options.TryGetValue(key, out var text) && int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : fallback;

        private static double ReadDouble(AnalyzerConfigOptions options, string key, double fallback) =>
            options.TryGetValue(key, out var text) && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= 1
                ? value
                : fallback;
    }
}
