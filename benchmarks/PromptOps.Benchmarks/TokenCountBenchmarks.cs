using BenchmarkDotNet.Attributes;
using PromptOps.Tokens;
using SharpToken;

namespace PromptOps.Benchmarks;

/// <summary>
/// Counting o200k_base tokens of ~3 KB of English and of Japanese prose: PromptOps
/// <see cref="TiktokenTokenCounter.O200k"/> (Microsoft.ML.Tokenizers) against the anchor, SharpToken's
/// <c>GptEncoding.GetEncoding("o200k_base").CountTokens</c>. Both encoders are created in the global setup.
/// </summary>
[Config(typeof(TokenConfig))]
public class TokenCountBenchmarks
{
    private GptEncoding _sharpToken = null!;
    private TiktokenTokenCounter _promptOps = null!;
    private string _text = null!;

    [Params("English", "Japanese")]
    public string Language { get; set; } = "English";

    [GlobalSetup]
    public void Setup()
    {
        _text = Language switch
        {
            "English" => SampleTexts.English,
            "Japanese" => SampleTexts.Japanese,
            _ => throw new InvalidOperationException("Unknown language " + Language),
        };
        _sharpToken = GptEncoding.GetEncoding("o200k_base");
        _promptOps = TiktokenTokenCounter.O200k;

        var expected = _sharpToken.CountTokens(_text);
        var actual = _promptOps.CountTokens(_text);
        Console.WriteLine($"// {Language}: {_text.Length} chars, {System.Text.Encoding.UTF8.GetByteCount(_text)} UTF-8 bytes, " +
            $"SharpToken {expected} tokens, PromptOps {actual} tokens");
        if (expected != actual) throw new InvalidOperationException($"Token counts differ: SharpToken {expected}, PromptOps {actual}.");
    }

    [Benchmark(Baseline = true)]
    public int SharpToken_CountTokens() => _sharpToken.CountTokens(_text);

    [Benchmark]
    public int PromptOps_CountTokens() => _promptOps.CountTokens(_text);
}
