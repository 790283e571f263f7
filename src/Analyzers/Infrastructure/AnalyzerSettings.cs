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
    /// </code>
    /// </summary>
    internal readonly struct AnalyzerSettings
    {
        public const int DefaultMaxSystemPromptTokens = 200;
        public const double DefaultMaxFillerShare = 0.3;
        public const int DefaultMonthlyRequests = 10_000;
        public const int DefaultMaxOutputTokens = 500;

        private AnalyzerSettings(int maxSystemPromptTokens, double maxFillerShare, int monthlyRequests, int defaultMaxOutputTokens)
        {
            MaxSystemPromptTokens = maxSystemPromptTokens;
            MaxFillerShare = maxFillerShare;
            MonthlyRequests = monthlyRequests;
            DefaultMaxOutput = defaultMaxOutputTokens;
        }

        public int MaxSystemPromptTokens { get; }

        public double MaxFillerShare { get; }

        public int MonthlyRequests { get; }

        public int DefaultMaxOutput { get; }

        public static AnalyzerSettings For(AnalyzerConfigOptionsProvider provider, SyntaxTree tree)
        {
            var options = provider.GetOptions(tree);
            return new AnalyzerSettings(
                ReadInt(options, "promptops.max_system_prompt_tokens", DefaultMaxSystemPromptTokens),
                ReadDouble(options, "promptops.max_filler_share", DefaultMaxFillerShare),
                ReadInt(options, "promptops.monthly_requests", DefaultMonthlyRequests),
                ReadInt(options, "promptops.default_max_output_tokens", DefaultMaxOutputTokens));
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
