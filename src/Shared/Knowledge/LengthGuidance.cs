// One source of truth for the knowledge tables (see ModelTier.cs). Keep this file netstandard2.0-compatible. Internal in
// every assembly it is compiled into: the generator and the analyzers read it; in the runtime it is no public API (issue #17).
#nullable enable
using System;
using System.Globalization;

namespace PromptOps.Knowledge
{
    /// <summary>The unit of a stated answer length.</summary>
    internal
    enum LengthUnit
    {
        /// <summary>English words (<c>Answer in at most N words.</c>).</summary>
        Words = 0,
        /// <summary>English sentences (<c>Answer in at most N sentences.</c>).</summary>
        Sentences = 1,
        /// <summary>Japanese characters (<c>N文字以内で答えてください。</c>).</summary>
        Characters = 2,
    }

    /// <summary>An answer length a prompt asks for: a count and its unit.</summary>
    internal
    readonly struct PromptLength : IEquatable<PromptLength>
    {
        /// <summary>Creates a length; <paramref name="count"/> must be positive.</summary>
        public PromptLength(int count, LengthUnit unit)
        {
            if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "A length is positive.");
            Count = count;
            Unit = unit;
        }

        /// <summary>How many <see cref="Unit"/>s.</summary>
        public int Count { get; }

        /// <summary>Words, sentences or (Japanese) characters.</summary>
        public LengthUnit Unit { get; }

        /// <inheritdoc />
        public bool Equals(PromptLength other) => Count == other.Count && Unit == other.Unit;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is PromptLength other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => (Count * 4) + (int)Unit;

        /// <summary>Same count and unit.</summary>
        public static bool operator ==(PromptLength left, PromptLength right) => left.Equals(right);

        /// <summary>Different count or unit.</summary>
        public static bool operator !=(PromptLength left, PromptLength right) => !left.Equals(right);

        /// <summary><c>40 words</c>, <c>2 sentences</c>, <c>100 characters</c>.</summary>
        public override string ToString() =>
            Count.ToString(CultureInfo.InvariantCulture) + " " + (Unit == LengthUnit.Words ? "words" : Unit == LengthUnit.Sentences ? "sentences" : "characters");
    }

    /// <summary>
    /// Length guidance: the sentence a free-text prompt gets so that the answer the model writes fits the output-token
    /// limit. English: <c>Answer in at most N words.</c> (or <c>N sentences.</c>); Japanese: <c>N文字以内で答えてください。</c>.
    /// The lengths per task are in the task table (<see cref="PromptTaskInfo.LengthWords"/>, <see cref="PromptTaskInfo.LengthCharacters"/>),
    /// sized with the o200k tokenizer on real answers of that length (tests/Runtime.Tests/Knowledge/LengthGuidanceTests.cs).
    /// </summary>
    internal
    static class LengthGuidance
    {
        /// <summary>
        /// The o200k tokens per unit measured on the sample answers of LengthGuidanceTests (English 1.20–1.23 per word, Japanese
        /// 0.73–0.76 per character), rounded up, and an assumed longest sentence of 30 words: used to check that a stated
        /// length fits a limit.
        /// </summary>
        public const double TokensPerWord = 1.3;

        /// <summary>See <see cref="TokensPerWord"/>.</summary>
        public const double TokensPerCharacter = 0.8;

        /// <summary>See <see cref="TokensPerWord"/>.</summary>
        public const int WordsPerSentence = 30;

        /// <summary>The room a limit keeps above the tokens of an answer of the stated length (20%).</summary>
        public const double Margin = 1.2;

        /// <summary>The forms <see cref="TryParse"/> accepts, for error messages.</summary>
        public const string ValidForms = "'N words', 'N sentences', 'N characters' (or 'N文字', for a Japanese prompt), or \"\" for none";

        /// <summary>True when <paramref name="text"/> has hiragana or katakana: the prompt is Japanese.</summary>
        public static bool IsJapanese(string? text)
        {
            if (text == null) return false;
            foreach (var c in text)
            {
                if (c >= '\u3040' && c <= '\u30FF') return true; // hiragana, katakana
                if (c >= '\uFF66' && c <= '\uFF9D') return true; // half-width katakana
            }

            return false;
        }

        /// <summary>The sentence that asks for <paramref name="length"/>, in its language (characters are Japanese).</summary>
        public static string Sentence(PromptLength length)
        {
            var n = length.Count.ToString(CultureInfo.InvariantCulture);
            switch (length.Unit)
            {
                case LengthUnit.Words: return "Answer in at most " + n + (length.Count == 1 ? " word." : " words.");
                case LengthUnit.Sentences: return "Answer in at most " + n + (length.Count == 1 ? " sentence." : " sentences.");
                default: return n + "文字以内で答えてください。";
            }
        }

        /// <summary>
        /// The length a task's answers are asked for at <paramref name="maxOutputTokens"/>: the table's length scaled by the
        /// limit over the task's default limit (rounded down), in words or, for a Japanese prompt, characters. Null when the
        /// task has no stated length (one-word, code and translation tasks) or the limit leaves less than one unit.
        /// </summary>
        public static PromptLength? ForTask(PromptTaskInfo task, bool japanese, int maxOutputTokens)
        {
            var count = japanese ? task.LengthCharacters : task.LengthWords;
            if (count <= 0 || maxOutputTokens <= 0) return null;
            var scaled = maxOutputTokens == task.MaxOutputTokens ? count : (int)Math.Floor((double)count * maxOutputTokens / task.MaxOutputTokens);
            return scaled <= 0 ? null : new PromptLength(scaled, japanese ? LengthUnit.Characters : LengthUnit.Words);
        }

        /// <summary>The most tokens an answer of <paramref name="length"/> is expected to take (see <see cref="TokensPerWord"/>).</summary>
        public static int EstimateTokens(PromptLength length)
        {
            switch (length.Unit)
            {
                case LengthUnit.Words: return (int)Math.Ceiling(length.Count * TokensPerWord);
                case LengthUnit.Sentences: return (int)Math.Ceiling(length.Count * WordsPerSentence * TokensPerWord);
                default: return (int)Math.Ceiling(length.Count * TokensPerCharacter);
            }
        }

        /// <summary>True when an answer of <paramref name="length"/> fits <paramref name="maxOutputTokens"/> with the <see cref="Margin"/>.</summary>
        public static bool Fits(PromptLength length, int maxOutputTokens) => EstimateTokens(length) * Margin <= maxOutputTokens;

        /// <summary>
        /// Parses a length setting: <c>"40 words"</c>, <c>"2 sentences"</c>, <c>"100 characters"</c>, <c>"100文字"</c> (case and
        /// surrounding spaces ignored; <c>word</c>, <c>sentence</c>, <c>character</c>, <c>chars</c> accepted). False with an
        /// error naming the bad value otherwise.
        /// </summary>
        public static bool TryParse(string? text, out PromptLength length, out string? error)
        {
            length = default;
            error = null;
            var s = (text ?? string.Empty).Trim();
            var end = 0;
            var count = 0;
            while (end < s.Length && s[end] >= '0' && s[end] <= '9' && end < 7) count = (count * 10) + (s[end++] - '0');
            if (end == 0 || end > 6)
            {
                error = "Length '" + text + "' does not start with a count; use " + ValidForms;
                return false;
            }

            if (count <= 0)
            {
                error = "Length '" + text + "' must be at least 1";
                return false;
            }

            LengthUnit unit;
            switch (s.Substring(end).Trim().ToLowerInvariant())
            {
                case "word": case "words": unit = LengthUnit.Words; break;
                case "sentence": case "sentences": unit = LengthUnit.Sentences; break;
                case "character": case "characters": case "chars": case "文字": unit = LengthUnit.Characters; break;
                default:
                    error = "Length '" + text + "' has no known unit; use " + ValidForms;
                    return false;
            }

            length = new PromptLength(count, unit);
            return true;
        }
    }
}
