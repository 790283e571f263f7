using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PromptOps.Analyzers.Infrastructure
{
    /// <summary>
    /// The output-token limit a prompt's own words ask for: "answer with one word", "in 10 words", "two sentences",
    /// "a JSON object with the fields …", "3 bullet points", "yes or no". Conservative: the limit is never below what the
    /// stated length needs (≈1.5 tokens a word plus a margin, 35 tokens a sentence, 30 a bullet point), a lower bound
    /// ("at least 200 words") gives no hint, and when a prompt states several lengths the largest wins.
    /// </summary>
    internal sealed class OutputLengthHint
    {
        /// <summary>The limit for one word or a yes/no answer.</summary>
        public const int OneWordTokens = 10;
        /// <summary>Tokens per word (English averages ~1.3 with o200k) and the margin added to a word count.</summary>
        public const double TokensPerWord = 1.5;
        public const int WordMargin = 5;
        public const int TokensPerSentence = 35;
        public const int TokensPerBulletPoint = 30;
        public const int JsonObjectTokens = 200;

        private const string Number = @"(?:\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a\s+single|single|a\s+couple\s+of)";
        private const string Count = @"(?<n>" + Number + @")(?:\s*(?:-|–|to|or)\s*(?<m>" + Number + @"))?";
        private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        // A count that is a lower bound or a comparison with something else is no length the answer stays within.
        private const string NotALowerBound = @"(?<!at\s+least\s+)(?<!minimum\s+of\s+)(?<!(?<!\bno\s+)\bmore\s+than\s+)(?<!over\s+)(?<!exceed\s+)";

        // "10 words per bullet point" is the size of a part, not of the answer.
        private const string NotPerPart = @"(?!\s+(?:per|each|in\s+each|for\s+each|a\s+(?:line|bullet|item|sentence|paragraph))\b)";

        private static readonly Regex Words = new Regex(@"\b" + NotALowerBound + Count + @"[\s-]+words?\b" + NotPerPart, Options);
        private static readonly Regex Sentences = new Regex(@"\b" + NotALowerBound + Count + @"[\s-]+(?:short\s+)?sentences?\b" + NotPerPart, Options);
        private static readonly Regex Bullets = new Regex(@"\b" + NotALowerBound + Count + @"\s+(?:short\s+|key\s+)?(?:bullet[\s-]?points?|bullets)\b" + NotPerPart, Options);
        private static readonly Regex YesNo = new Regex(@"\byes\s*(?:or|/)\s*no\b", Options);
        private static readonly Regex JsonObject = new Regex(@"\bJSON\s+object\b|\bJSON\s+with\s+(?:the\s+)?(?:fields|properties|keys)\b", Options);
        private static readonly Regex JsonMany = new Regex(@"\bJSON\s+(?:array|list|lines)\b|\b(?:array|list)\s+of\s+(?:JSON\s+)?objects\b|\bone\s+JSON\s+object\s+(?:per|for\s+each)\b", Options);

        public OutputLengthHint(int tokens, string reason)
        {
            Tokens = tokens;
            Reason = reason;
        }

        /// <summary>The suggested limit.</summary>
        public int Tokens { get; }

        /// <summary>Why, for the message and the fix title: "the prompt asks for 10 words".</summary>
        public string Reason { get; }

        /// <summary>The hint from several message texts (the largest length any of them asks for), or null.</summary>
        public static OutputLengthHint? FromPrompt(IEnumerable<string?> texts)
        {
            OutputLengthHint? best = null;
            foreach (var text in texts)
            {
                var hint = FromPrompt(text);
                if (hint is not null && (best is null || hint.Tokens > best.Tokens)) best = hint;
            }

            return best;
        }

        /// <summary>The hint from one text, or null when it states no length.</summary>
        public static OutputLengthHint? FromPrompt(string? text)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            OutputLengthHint? best = null;
            void Consider(int tokens, string what)
            {
                if (best is null || tokens > best.Tokens) best = new OutputLengthHint(tokens, "the prompt asks for " + what);
            }

            foreach (Match match in Words.Matches(text!))
            {
                var n = Largest(match);
                if (n is null) continue;
                Consider(Math.Max(OneWordTokens, (int)Math.Ceiling(n.Value * TokensPerWord) + WordMargin), Describe(match, n.Value, "word", "words"));
            }

            foreach (Match match in Sentences.Matches(text!))
            {
                var n = Largest(match);
                if (n is null) continue;
                Consider(n.Value * TokensPerSentence, Describe(match, n.Value, "sentence", "sentences"));
            }

            foreach (Match match in Bullets.Matches(text!))
            {
                var n = Largest(match);
                if (n is null) continue;
                Consider(n.Value * TokensPerBulletPoint, Describe(match, n.Value, "bullet point", "bullet points"));
            }

            if (YesNo.IsMatch(text!)) Consider(OneWordTokens, "yes or no");
            if (JsonObject.IsMatch(text!) && !JsonMany.IsMatch(text!)) Consider(JsonObjectTokens, "a JSON object");
            return best;
        }

        /// <summary>The upper end of "n" or "n to m"; null when a number is zero or too large to be a length.</summary>
        private static int? Largest(Match match)
        {
            var n = Parse(match.Groups["n"].Value);
            var m = match.Groups["m"].Success ? Parse(match.Groups["m"].Value) : n;
            if (n is null || m is null) return null;
            var largest = Math.Max(n.Value, m.Value);
            return largest > 0 && largest <= 5000 ? largest : null;
        }

        private static string Describe(Match match, int n, string one, string many)
        {
            var count = Normalize(match.Groups["n"].Value) + (match.Groups["m"].Success ? " to " + Normalize(match.Groups["m"].Value) : string.Empty);
            return count + " " + (n == 1 ? one : many);
        }

        private static string Normalize(string number) => Regex.Replace(number.Trim(), @"\s+", " ").ToLowerInvariant();

        private static int? Parse(string number)
        {
            var text = Normalize(number);
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
            switch (text)
            {
                case "one":
                case "single":
                case "a single":
                    return 1;
                case "two":
                case "a couple of":
                    return 2;
                case "three": return 3;
                case "four": return 4;
                case "five": return 5;
                case "six": return 6;
                case "seven": return 7;
                case "eight": return 8;
                case "nine": return 9;
                case "ten": return 10;
                case "eleven": return 11;
                case "twelve": return 12;
                case "fifteen": return 15;
                case "twenty": return 20;
                case "thirty": return 30;
                case "forty": return 40;
                case "fifty": return 50;
                default: return null;
            }
        }
    }
}
