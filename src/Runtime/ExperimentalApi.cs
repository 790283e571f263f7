namespace PromptOps;

/// <summary>
/// The diagnostic id of PromptOps' <see cref="System.Diagnostics.CodeAnalysis.ExperimentalAttribute"/>: surface that may
/// still change between minor versions (docs/public-api.md lists it). A user opts in with
/// <c>&lt;NoWarn&gt;$(NoWarn);PROMPTOPS001&lt;/NoWarn&gt;</c> or <c>#pragma warning disable PROMPTOPS001</c>.
/// </summary>
internal static class ExperimentalApi
{
    /// <summary>The diagnostic id a use of experimental surface reports.</summary>
    public const string Id = "PROMPTOPS001";

    /// <summary>Where the diagnostic's help link points.</summary>
    public const string UrlFormat = "https://github.com/promptops/promptops/blob/main/docs/public-api.md#experimental-api-promptops001";
}
