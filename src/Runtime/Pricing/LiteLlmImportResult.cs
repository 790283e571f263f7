namespace PromptOps.Pricing;

/// <summary>What an import of a LiteLLM price file did.</summary>
/// <param name="Imported">Entries added or replaced.</param>
/// <param name="Skipped">Entries left out: no per-token prices (image, audio-per-second and search models), <c>sample_spec</c>,
/// and entries that cannot be read (see <see cref="Problems"/>).</param>
public readonly record struct LiteLlmImportResult(int Imported, int Skipped)
{
    /// <summary>Entries that could not be read (a non-object value such as <c>last_updated</c>, a price that is not a
    /// number or is negative), each as "'id': reason"; at most <see cref="LiteLlmPriceImporter.MaxProblemsListed"/> are kept.</summary>
    public IReadOnlyList<string> Problems
    {
        get => _problems ?? [];
        init => _problems = value;
    }

    private readonly IReadOnlyList<string>? _problems;

    /// <summary>How many entries could not be read (the problems, including those not listed).</summary>
    public int Unreadable { get; init; }

    /// <summary>The file's <c>last_updated</c> value, when it has one.</summary>
    public string? LastUpdated { get; init; }
}
