// One source of truth for the knowledge tables (see ModelTier.cs). Keep this file netstandard2.0-compatible: it is
// compiled into the runtime (time-sensitive requests get the short TTL) and the analyzers (PO0009).
#nullable enable
using System;
using System.Collections.Generic;

namespace PromptOps.Knowledge
{
    /// <summary>
    /// Finds words that ask about the present — "today", "right now", "the latest version", 今日, 現在, 最新 — and dates
    /// relative to now ("yesterday", "next week", 昨日, 先週), in English and Japanese. An answer to such a question goes
    /// stale, so it must not be cached as long as a definition.
    /// <para>
    /// One linear pass over the text (no regular expressions, so no backtracking): English markers are whole words,
    /// compared without case; Japanese markers are substrings with a few exclusions. Deliberately <b>not</b> markers,
    /// because they usually talk about the input rather than the clock: "current" before a word that names the input or
    /// the program's state ("current directory", "current file", "current message", "current user", …), "latest" before
    /// such a word ("the latest message"), "at the latest" (a deadline), "up to date" / "up-to-date", "recent(ly)",
    /// sentence-initial "Now, …" and "from now on"; in Japanese 今日的 (modern-day), 現在形 / 現在完了 / 現在進行 /
    /// 現在分詞 (grammar), 明日香 (a name), 今回 / 今後 / 今度 and other compounds of 今, ただいま, いまいち, いまさら.
    /// Bare "now" counts when it ends a sentence or the text ("What is the price now?"), or as "right now", "just now",
    /// "as of now"; 今 / いま count before の, は, も, 、, 何 or で (今の天気, いまは).
    /// </para>
    /// </summary>
#if PROMPTOPS_RUNTIME
    public
#else
    internal
#endif
    sealed class TimeSensitivity
    {
        /// <summary>The built-in English and Japanese markers only.</summary>
        public static readonly TimeSensitivity Default = new TimeSensitivity(builtIn: true, extraMarkers: null);

        // Markers of one English word.
        private static readonly string[] EnglishWords =
        {
            "today", "tonight", "yesterday", "tomorrow", "currently", "nowadays", "presently", "todays",
        };

        // Markers of several English words; the found marker is reported with single spaces.
        private static readonly string[][] EnglishPhrases =
        {
            new[] { "this", "week" }, new[] { "this", "weekend" }, new[] { "this", "month" }, new[] { "this", "year" },
            new[] { "this", "quarter" }, new[] { "this", "morning" }, new[] { "this", "afternoon" }, new[] { "this", "evening" },
            new[] { "last", "night" }, new[] { "last", "week" }, new[] { "last", "weekend" }, new[] { "last", "month" },
            new[] { "last", "year" }, new[] { "next", "week" }, new[] { "next", "weekend" }, new[] { "next", "month" },
            new[] { "next", "year" }, new[] { "right", "now" }, new[] { "just", "now" }, new[] { "as", "of" },
            new[] { "these", "days" }, new[] { "at", "the", "moment" }, new[] { "at", "present" }, new[] { "most", "recent" },
        };

        // "current X" / "latest X" where X is the input or the program's state, not the world today.
        private static readonly HashSet<string> InputNouns = new HashSet<string>(StringComparer.Ordinal)
        {
            "directory", "folder", "dir", "path", "file", "files", "document", "page", "line", "row", "column", "cell",
            "message", "messages", "conversation", "chat", "thread", "turn", "reply", "comment", "email", "ticket", "text",
            "input", "prompt", "question", "request", "query", "task", "step", "item", "entry", "record", "selection",
            "context", "user", "session", "scope", "code", "function", "method", "class", "object", "element", "node",
            "sentence", "paragraph", "section", "chapter", "word", "token", "index", "position", "cursor", "window", "tab",
            "screen", "view", "state", "value", "list", "object's", "one", "draft", "answer", "output", "commit", "branch",
        };

        private readonly bool _builtIn;
        private readonly string[][] _extraWords; // custom markers made of English-like words (matched as whole words)
        private readonly string[] _extraText;    // custom markers matched as substrings (any other script)

        /// <summary>Creates a detector.</summary>
        /// <param name="builtIn">Use the built-in English and Japanese markers.</param>
        /// <param name="extraMarkers">More markers: words or phrases (matched as whole words, without case) or, for text
        /// without Latin letters, substrings (in any script). Empty entries are ignored.</param>
        public TimeSensitivity(bool builtIn, IEnumerable<string>? extraMarkers)
        {
            _builtIn = builtIn;
            var words = new List<string[]>();
            var text = new List<string>();
            if (extraMarkers != null)
            {
                foreach (var marker in extraMarkers)
                {
                    if (marker == null || marker.Trim().Length == 0) continue;
                    var m = marker.Trim();
                    var tokens = Words(m.ToLowerInvariant());
                    if (tokens.Count > 0 && HasLatinLetter(m)) words.Add(tokens.ToArray());
                    else text.Add(m);
                }
            }

            _extraWords = words.ToArray();
            _extraText = text.ToArray();
        }

        /// <summary>The first marker of the present found in <paramref name="text"/> (lower case, e.g. <c>today</c>, <c>right now</c>, <c>今日</c>), or null.</summary>
        public string? Find(string? text)
        {
            if (text == null || text.Length == 0) return null;
            string? found = null;
            if (_builtIn || _extraWords.Length > 0) found = FindEnglish(text);
            if (found == null && _builtIn) found = FindJapanese(text);
            if (found == null)
            {
                foreach (var m in _extraText)
                {
#pragma warning disable CA2249 // string.Contains(string, StringComparison) does not exist in netstandard2.0
                    if (text.IndexOf(m, StringComparison.OrdinalIgnoreCase) >= 0) return m;
#pragma warning restore CA2249
                }
            }

            return found;
        }

        /// <summary>True when <paramref name="text"/> asks about the present (see <see cref="Find"/>).</summary>
        public bool IsTimeSensitive(string? text) => Find(text) != null;

        private string? FindEnglish(string text)
        {
            // Quick reject: no ASCII letter at all (e.g. Japanese-only text) means no English marker.
            if (!HasLatinLetter(text)) return null;
            var lower = text.ToLowerInvariant();
            var tokens = Tokenize(lower);
            for (var i = 0; i < tokens.Count; i++)
            {
                foreach (var phrase in _extraWords)
                {
                    if (Matches(lower, tokens, i, phrase)) return string.Join(" ", phrase);
                }

                if (!_builtIn) continue;
                var t = tokens[i];
                foreach (var w in EnglishWords)
                {
                    if (Is(lower, t, w)) return w == "todays" ? "today" : w;
                }

                foreach (var phrase in EnglishPhrases)
                {
                    if (!Matches(lower, tokens, i, phrase)) continue;
                    if (phrase[0] == "as" && i + 2 < tokens.Count && Is(lower, tokens[i + 2], "yet")) continue; // "as of yet" = so far
                    return string.Join(" ", phrase);
                }

                if (Is(lower, t, "current") || Is(lower, t, "latest"))
                {
                    // "at the latest" is a deadline; "current"/"latest" before a word for the input is about the input.
                    if (Is(lower, t, "latest") && i >= 2 && Is(lower, tokens[i - 1], "the") && Is(lower, tokens[i - 2], "at")) continue;
                    if (i + 1 >= tokens.Count || !Adjacent(lower, t, tokens[i + 1])) continue; // "alternating current."
                    var next = tokens[i + 1];
                    if (InputNouns.Contains(lower.Substring(next.Start, next.Length))) continue;
                    return Is(lower, t, "current") ? "current" : "latest";
                }

                if (Is(lower, t, "now") && NowAsksAboutThePresent(lower, tokens, i)) return "now";
            }

            return null;
        }

        /// <summary>Bare "now" counts at the end of a sentence or of the text, unless it is "from now" / "until now" / "by now".</summary>
        private static bool NowAsksAboutThePresent(string lower, List<Token> tokens, int i)
        {
            if (i > 0)
            {
                var before = tokens[i - 1];
                if (Is(lower, before, "from") || Is(lower, before, "until") || Is(lower, before, "till") || Is(lower, before, "by")) return false;
            }

            var end = tokens[i].Start + tokens[i].Length;
            while (end < lower.Length && (lower[end] == ' ' || lower[end] == '\t')) end++;
            return end >= lower.Length || lower[end] == '?' || lower[end] == '.' || lower[end] == '!' || lower[end] == '\n' || lower[end] == '\r'
                || lower[end] == '？' || lower[end] == '。';
        }

        private static string? FindJapanese(string text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c < 0x3000) continue; // no CJK or kana before U+3000
                var next = i + 1 < text.Length ? text[i + 1] : '\0';
                var next2 = i + 2 < text.Length ? text[i + 2] : '\0';
                switch (c)
                {
                    case '今':
                        if (next == '日')
                        {
                            if (next2 == '的') break; // 今日的: modern-day
                            return "今日";
                        }

                        if (next == '週') return "今週";
                        if (next == '月') return "今月";
                        if (next == '年') return "今年";
                        if (next == '夜') return "今夜";
                        if (next == '朝') return "今朝";
                        if (i > 0 && (text[i - 1] == '昨' || text[i - 1] == '只')) return text.Substring(i - 1, 2); // 昨今, 只今
                        if (IsNowParticle(next)) return "今";
                        break; // 今回, 今後, 今度, 今更, …
                    case 'い':
                        if (next == 'ま' && IsNowParticle(next2) && !(i > 0 && text[i - 1] == 'た')) return "いま"; // not ただいま
                        break;
                    case '本':
                        if (next == '日') return "本日";
                        break;
                    case '現':
                        if (next == '在')
                        {
                            // Grammar terms: 現在形, 現在完了, 現在進行(形), 現在分詞.
                            if (next2 == '形' || next2 == '完' || next2 == '進' || next2 == '分') break;
                            return "現在";
                        }

                        if (next == '時' && next2 == '点') return "現時点";
                        break;
                    case '最':
                        if (next == '新') return "最新";
                        break;
                    case '直':
                        if (next == '近') return "直近";
                        break;
                    case '昨':
                        if (next == '日') return "昨日";
                        if (next == '年') return "昨年";
                        if (next == '夜') return "昨夜";
                        break;
                    case '明':
                        if (next == '日' && next2 != '香') return "明日"; // not the name 明日香
                        break;
                    case '先':
                        if (next == '週') return "先週";
                        if (next == '月') return "先月";
                        break;
                    case '来':
                        if (next == '週') return "来週";
                        if (next == '月') return "来月";
                        break;
                    case '去':
                        if (next == '年') return "去年";
                        break;
                    case '目':
                        if (next == '下' && (next2 == 'の' || next2 == '、')) return "目下";
                        break;
                }
            }

            return null;
        }

        private static bool IsNowParticle(char c) => c == 'の' || c == 'は' || c == 'も' || c == '、' || c == '何' || c == 'で' || c == '，';

        private static bool Matches(string lower, List<Token> tokens, int i, string[] phrase)
        {
            if (i + phrase.Length > tokens.Count) return false;
            for (var k = 0; k < phrase.Length; k++)
            {
                if (!Is(lower, tokens[i + k], phrase[k])) return false;
                if (k > 0 && !Adjacent(lower, tokens[i + k - 1], tokens[i + k])) return false;
            }

            return true;
        }

        /// <summary>Two words of one phrase: separated by spaces or one hyphen only (not by a full stop or a line break).</summary>
        private static bool Adjacent(string lower, Token a, Token b)
        {
            for (var p = a.Start + a.Length; p < b.Start; p++)
            {
                var c = lower[p];
                if (c != ' ' && c != '\t' && c != '-' && c != '\'') return false;
            }

            return true;
        }

        private static bool Is(string lower, Token t, string word) =>
            t.Length == word.Length && string.CompareOrdinal(lower, t.Start, word, 0, word.Length) == 0;

        private static bool IsWordChar(char c) => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');

        private static bool HasLatinLetter(string s)
        {
            foreach (var c in s)
            {
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
            }

            return false;
        }

        private static List<Token> Tokenize(string lower)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < lower.Length)
            {
                if (!IsWordChar(lower[i]))
                {
                    i++;
                    continue;
                }

                var start = i;
                while (i < lower.Length && IsWordChar(lower[i])) i++;
                // "today's" is one word for matching: skip the possessive 's after the word.
                if (i + 1 < lower.Length && (lower[i] == '\'' || lower[i] == '’') && lower[i + 1] == 's' && (i + 2 >= lower.Length || !IsWordChar(lower[i + 2])))
                {
                    tokens.Add(new Token(start, i - start));
                    i += 2;
                    continue;
                }

                tokens.Add(new Token(start, i - start));
            }

            return tokens;
        }

        private static List<string> Words(string lower)
        {
            var list = new List<string>();
            foreach (var t in Tokenize(lower)) list.Add(lower.Substring(t.Start, t.Length));
            return list;
        }

        private readonly struct Token
        {
            public Token(int start, int length)
            {
                Start = start;
                Length = length;
            }

            public int Start { get; }

            public int Length { get; }
        }
    }
}
