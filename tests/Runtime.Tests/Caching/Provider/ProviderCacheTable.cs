using System.Globalization;
using PromptOps.Reports;

namespace PromptOps.Tests.Caching.Provider;

/// <summary>The README's provider-cache table (figures:provider-cache): one row per goal test, the same columns for both providers.</summary>
internal static class ProviderCacheTable
{
    public const string Header = "| provider, model | read / written tokens | saved (price sheet) | saved (ledger) | paid | without the cache |";
    public const string Separator = "|---|---:|---:|---:|---:|---:|";

    /// <summary>A provider's row: what the ledger read and priced, and the price sheet's saving computed from what the server served.</summary>
    public static string Row(string provider, ProviderCacheReport report, decimal sheet) => string.Create(CultureInfo.InvariantCulture,
        $"| {provider} | {report.CacheReadTokens:N0} / {report.CacheWriteTokens:N0} | ${sheet:N4} | ${report.NetSavedUsd:N4} | ${report.CostUsd:N4} | ${report.CostWithoutCacheUsd:N4} |");
}
