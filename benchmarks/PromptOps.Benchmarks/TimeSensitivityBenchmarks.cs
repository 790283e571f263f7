using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using PromptOps.Knowledge;

namespace PromptOps.Benchmarks;

/// <summary>
/// The time-sensitivity check the cache runs on every cacheable request (<see cref="TimeSensitivity.Find"/>) over ~3,000
/// characters of English and of Japanese support-ticket text without a marker (the worst case: the whole text is
/// scanned; <see cref="SampleTexts"/> contains markers, "last week", so it cannot serve), against the anchor:
/// one compiled, case-insensitive <see cref="Regex"/> alternation of the same built-in words with word boundaries — what
/// one would write first. The anchor knows none of the exclusions ("current directory", 現在形, …), so it does less.
/// </summary>
[Config(typeof(TokenConfig))]
public class TimeSensitivityBenchmarks
{
    private static readonly Regex Anchor = new(
        @"\b(today|tonight|yesterday|tomorrow|currently|current|latest|nowadays|presently|now|this (week|weekend|month|year|quarter|morning|afternoon|evening)|" +
        @"(last|next) (night|week|weekend|month|year)|right now|just now|as of|these days|at the moment|at present|most recent)\b|" +
        "今日|本日|現在|現時点|最新|直近|今週|今月|今年|今夜|今朝|昨今|只今|昨日|昨年|昨夜|明日|先週|先月|来週|来月|去年",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private string _text = null!;

    [Params("English", "Japanese")]
    public string Language { get; set; } = "English";

    [GlobalSetup]
    public void Setup()
    {
        var sentence = Language switch
        {
            "English" => "The customer's March invoice shows the same charge twice, and they ask for a refund to the original card. ",
            "Japanese" => "三月の請求書に同じ請求が二回あり、元のカードへの返金を求めています。",
            _ => throw new InvalidOperationException("Unknown language " + Language),
        };
        _text = string.Concat(Enumerable.Repeat(sentence, 3_000 / sentence.Length + 1));

        // Worst case only: neither may stop early on a marker.
        if (TimeSensitivity.Default.Find(_text) is { } marker) throw new InvalidOperationException($"The {Language} sample contains the marker '{marker}'.");
        if (Anchor.Match(_text) is { Success: true } m) throw new InvalidOperationException($"The anchor finds '{m.Value}' in the {Language} sample.");
        Console.WriteLine($"// {Language}: {_text.Length} chars, no marker");
    }

    [Benchmark(Baseline = true)]
    public bool Regex_IsMatch() => Anchor.IsMatch(_text);

    [Benchmark]
    public bool PromptOps_Find() => TimeSensitivity.Default.Find(_text) is not null;
}
