using PromptOps.Knowledge;

namespace PromptOps.Pricing;

/// <summary>The prices read from a LiteLLM file, before they are merged into a catalogue.</summary>
/// <param name="Prices">The entries read, each merged over what the catalogue already knew of the same id.</param>
/// <param name="Result">Counts and problems.</param>
public sealed record LiteLlmParseResult(IReadOnlyList<ModelPriceInfo> Prices, LiteLlmImportResult Result);
