using System.Text.RegularExpressions;

namespace PromptOps.Analyzers.Tests.PublicCorpus;

/// <summary>
/// Which prompts are "verbose" and which are "concise", by a criterion that reads only the prompt, never the
/// compressor's output: occurrences of politeness, hedging, filler and meta phrases from a fixed list (written before
/// the compressor was tuned on this corpus, and not to be edited to move a figure). A prompt is verbose with at least
/// <see cref="VerboseMinimum"/> markers and at least <see cref="VerbosePer100Words"/> markers per 100 words (Japanese:
/// per 200 characters), so that a long prompt is not verbose merely for being long; it is concise with no marker.
/// </summary>
internal static class Verbosity
{
    /// <summary>Fewest markers for a verbose prompt.</summary>
    public const int VerboseMinimum = 3;

    /// <summary>Fewest markers per 100 words (Japanese: per 200 characters) for a verbose prompt.</summary>
    public const double VerbosePer100Words = 1.5;

    private static readonly Regex English = new(
        @"\b(?:please|kindly|I (?:want|would like|'d like|need) you to|I'd like you to|make sure|be sure to|ensure that|it is (?:very |really |extremely |absolutely )?(?:important|essential|crucial|vital)|your (?:main |primary )?(?:task|job|goal|role) (?:is|will be)|you are (?:required|expected|asked) to|you (?:should|must|need to|have to)|thank you|thanks|hello|hi there|feel free|don't hesitate|remember to|keep in mind|note that|in order to|very|really|extremely|absolutely|basically|actually|definitely|certainly|truly|simply|I hope|(?:could|can|would|will) you|as an AI|helpful|friendly|at all times|as (?:much|accurately|best|well) as (?:possible|you can)|due to the fact|in the event that|with regard to|a (?:large|great) number of|carefully|thoroughly)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex Japanese = new(
        "ください|お願い(?:いた)?します|ありがとう|よろしく|非常に|とても|大変|極めて|本当に|必ず|注意深く|慎重に|していただ|してほしい|してもらえ|することが(?:重要|大切|必要)|ようにして|できるだけ|なるべく|あなたは",
        RegexOptions.CultureInvariant);

    private static readonly Regex Words = new(@"\S+", RegexOptions.CultureInvariant);

    /// <summary>The number of markers in <paramref name="text"/> (English and Japanese lists both apply).</summary>
    public static int Markers(string text) => English.Count(text) + Japanese.Count(text);

    /// <summary>True when <paramref name="text"/> is verbose by the fixed criterion.</summary>
    public static bool IsVerbose(string text, string language)
    {
        var markers = Markers(text);
        var size = language == "ja" ? text.Length / 200.0 : Words.Count(text) / 100.0;
        return markers >= VerboseMinimum && markers >= VerbosePer100Words * Math.Max(size, 1.0 / 3);
    }

    /// <summary>
    /// <paramref name="text"/> with every marker deleted, grammar ignored: what removing all the politeness, hedging, filler
    /// and meta phrases the criterion counts would leave. Its saving bounds what filler removal alone can reach on a prompt
    /// (a rewrite saves more only by shortening or deleting instructions themselves).
    /// </summary>
    public static string WithoutMarkers(string text) => Japanese.Replace(English.Replace(text, string.Empty), string.Empty);

    /// <summary>True when <paramref name="text"/> has no marker at all.</summary>
    public static bool IsConcise(string text) => Markers(text) == 0;
}
