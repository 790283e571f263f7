using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace PromptOps.Caching.Provider;

/// <summary>
/// Reads <see cref="ProviderPromptCacheOptions"/> from the <c>PromptOps:ProviderCache</c> section (<c>Enabled</c>,
/// <c>AnthropicTtl</c>, <c>OpenAiPromptCacheKey</c>) with errors that name the key and the value, where the configuration
/// binder would name only the key.
/// </summary>
internal static class ProviderPromptCacheConfiguration
{
    /// <summary>The section's name under <c>PromptOps</c>.</summary>
    public const string SectionName = "ProviderCache";

    /// <summary>Sets what <paramref name="section"/> holds on <paramref name="options"/>; keys it does not hold are left as they are.</summary>
    /// <exception cref="OptionsValidationException">A value is not one the option takes; the message lists each such key and value.</exception>
    public static void Bind(ProviderPromptCacheOptions options, IConfigurationSection section)
    {
        var errors = new List<string>();
        if (Bool(section, nameof(ProviderPromptCacheOptions.Enabled), errors) is { } enabled) options.Enabled = enabled;
        if (Bool(section, nameof(ProviderPromptCacheOptions.OpenAiPromptCacheKey), errors) is { } key) options.OpenAiPromptCacheKey = key;
        if (section[nameof(ProviderPromptCacheOptions.AnthropicTtl)] is { } ttl)
        {
            if (ParseTtl(ttl) is { } parsed) options.AnthropicTtl = parsed;
            else errors.Add($"{Path(section, nameof(ProviderPromptCacheOptions.AnthropicTtl))} is '{ttl}': use FiveMinutes (or 5m) or OneHour (or 1h).");
        }

        if (errors.Count > 0) throw new OptionsValidationException(Options.DefaultName, typeof(ProviderPromptCacheOptions), errors);
    }

    /// <summary><c>FiveMinutes</c> / <c>5m</c>, <c>OneHour</c> / <c>1h</c> (any case, Anthropic's wire names too); null otherwise.</summary>
    internal static ProviderCacheTtl? ParseTtl(string value) => value.Trim().ToUpperInvariant() switch
    {
        "FIVEMINUTES" or "5M" => ProviderCacheTtl.FiveMinutes,
        "ONEHOUR" or "1H" => ProviderCacheTtl.OneHour,
        _ => null,
    };

    private static bool? Bool(IConfigurationSection section, string key, List<string> errors)
    {
        if (section[key] is not { } value) return null;
        if (bool.TryParse(value.Trim(), out var parsed)) return parsed;
        errors.Add(string.Create(CultureInfo.InvariantCulture, $"{Path(section, key)} is '{value}': use true or false."));
        return null;
    }

    private static string Path(IConfigurationSection section, string key) => ConfigurationPath.Combine(section.Path, key);
}
