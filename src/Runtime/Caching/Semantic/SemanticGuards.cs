using System.Globalization;
using System.Text;

namespace PromptOps.Caching.Semantic;

/// <summary>
/// Cheap lexical checks that stop a semantic hit between texts an embedding model scores as close but that ask for
/// different things. Two texts are compatible only when they agree on:
/// <list type="bullet">
/// <item><b>Negation</b>: both or neither contain a negation (<c>not</c>, <c>no</c>, <c>never</c>, <c>without</c>,
/// <c>…n't</c>, …).</item>
/// <item><b>Opposites</b>: one does not use a word whose opposite the other uses (<c>enable</c>/<c>disable</c>,
/// <c>increase</c>/<c>decrease</c>, <c>buy</c>/<c>sell</c>, …, and a word against itself with an <c>un-</c>,
/// <c>dis-</c>, <c>de-</c>, <c>in-</c>, <c>non-</c> prefix).</item>
/// <item><b>Direction</b>: the same word after <c>from</c>, <c>to</c>/<c>into</c>, <c>than</c>, <c>vs</c> when the
/// two texts name the same things the other way round (<c>dollars to euros</c> / <c>euros to dollars</c>).</item>
/// <item><b>Numbers</b>: the same numbers in the same order (digits and number words: <c>two</c> = <c>2</c>,
/// <c>10,000</c> = <c>10000</c>).</item>
/// <item><b>Names</b>: every name in one text (a capitalised word that does not start a sentence, a word with
/// capitals or digits inside like <c>iPhone</c>, <c>GPT-4o</c>, <c>S3</c>, a capitalised sentence start that is not a
/// common word) occurs in the other, in the same order (so swapped names do not match).</item>
/// </list>
/// The checks only ever prevent hits; they cost recall (some true paraphrases are refused), never precision.
/// </summary>
internal static class SemanticGuards
{
    private static readonly HashSet<string> Negations = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "none", "nobody", "nothing", "nowhere", "neither", "nor", "without", "cannot", "cant",
        "wont", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "shouldnt", "wouldnt", "couldnt",
        "hasnt", "havent", "hadnt", "mustnt", "neednt", "unable", "nope",
    };

    private static readonly (string A, string B)[] OppositePairs =
    [
        ("enable", "disable"), ("activate", "deactivate"), ("increase", "decrease"), ("increase", "reduce"),
        ("add", "remove"), ("add", "delete"), ("create", "delete"), ("open", "close"), ("start", "stop"), ("start", "end"),
        ("buy", "sell"), ("before", "after"), ("upload", "download"), ("import", "export"), ("encrypt", "decrypt"),
        ("lock", "unlock"), ("include", "exclude"), ("allow", "block"), ("allow", "deny"), ("accept", "reject"),
        ("subscribe", "unsubscribe"), ("install", "uninstall"), ("connect", "disconnect"), ("login", "logout"),
        ("show", "hide"), ("maximum", "minimum"), ("max", "min"), ("more", "less"), ("more", "fewer"), ("most", "least"),
        ("highest", "lowest"), ("high", "low"), ("higher", "lower"), ("best", "worst"), ("better", "worse"),
        ("hot", "cold"), ("win", "lose"), ("early", "late"), ("earlier", "later"), ("push", "pull"), ("compress", "decompress"),
        ("zip", "unzip"), ("follow", "unfollow"), ("mute", "unmute"), ("pause", "resume"), ("hire", "fire"),
        ("inbound", "outbound"), ("ascending", "descending"), ("raise", "lower"), ("rise", "fall"), ("gain", "lose"),
        ("north", "south"), ("east", "west"), ("left", "right"), ("above", "below"), ("over", "under"), ("first", "last"),
        ("oldest", "newest"), ("old", "new"), ("true", "false"), ("positive", "negative"), ("pros", "cons"),
        ("advantages", "disadvantages"), ("benefits", "drawbacks"), ("like", "dislike"), ("love", "hate"),
        ("agree", "disagree"), ("legal", "illegal"), ("safe", "unsafe"), ("safe", "dangerous"), ("possible", "impossible"),
        ("valid", "invalid"), ("correct", "incorrect"), ("cheap", "expensive"), ("cheapest", "expensive"), ("fast", "slow"),
        ("faster", "slower"), ("large", "small"), ("big", "small"), ("bigger", "smaller"), ("long", "short"),
        ("longer", "shorter"), ("heavy", "light"), ("in", "out"), ("on", "off"), ("up", "down"), ("import", "export"),
        ("receive", "send"), ("sent", "received"), ("incoming", "outgoing"), ("input", "output"), ("min", "max"),
        ("join", "leave"), ("arrive", "depart"), ("arrival", "departure"), ("borrow", "lend"), ("deposit", "withdraw"),
        ("credit", "debit"), ("to", "from"), ("with", "without"), ("encode", "decode"), ("serialize", "deserialize"),
        ("merge", "split"), ("expand", "collapse"), ("approve", "reject"), ("plus", "minus"), ("add", "subtract"),
        ("multiply", "divide"), ("yesterday", "tomorrow"), ("today", "tomorrow"), ("today", "yesterday"),
        ("morning", "evening"), ("day", "night"), ("summer", "winter"), ("male", "female"), ("men", "women"),
        ("man", "woman"), ("boys", "girls"), ("buyer", "seller"), ("client", "server"), ("frontend", "backend"),
        ("ingress", "egress"), ("upgrade", "downgrade"), ("upvote", "downvote"), ("overestimate", "underestimate"),
        ("good", "bad"), ("read", "write"), ("reading", "writing"), ("get", "set"), ("encode", "decode"), ("sender", "recipient"),
    ];

    // Words whose following word says which way something goes: "from Paris to Berlin", "dollars to euros".
    private static readonly Dictionary<string, string> Directions = new(StringComparer.Ordinal)
    {
        ["from"] = "from", ["to"] = "to", ["into"] = "to", ["than"] = "than", ["vs"] = "vs", ["versus"] = "vs", ["over"] = "over",
    };

    private static readonly HashSet<string> Fillers = new(StringComparer.Ordinal) { "a", "an", "the", "my", "your", "our", "their", "his", "her", "its", "some" };

    private static readonly Dictionary<string, HashSet<string>> Opposites = BuildOpposites();

    private static readonly string[] NegatingPrefixes = ["un", "dis", "de", "in", "im", "il", "ir", "non", "anti"];

    private static readonly Dictionary<string, string> NumberWords = new(StringComparer.Ordinal)
    {
        ["zero"] = "0", ["two"] = "2", ["three"] = "3", ["four"] = "4", ["five"] = "5", ["six"] = "6", ["seven"] = "7",
        ["eight"] = "8", ["nine"] = "9", ["ten"] = "10", ["eleven"] = "11", ["twelve"] = "12", ["thirteen"] = "13",
        ["fourteen"] = "14", ["fifteen"] = "15", ["sixteen"] = "16", ["seventeen"] = "17", ["eighteen"] = "18",
        ["nineteen"] = "19", ["twenty"] = "20", ["thirty"] = "30", ["forty"] = "40", ["fifty"] = "50", ["sixty"] = "60",
        ["seventy"] = "70", ["eighty"] = "80", ["ninety"] = "90", ["hundred"] = "100", ["thousand"] = "1000",
        ["million"] = "1000000", ["billion"] = "1000000000", ["dozen"] = "12", ["half"] = "0.5", ["double"] = "x2",
        ["twice"] = "x2", ["triple"] = "x3", ["second"] = "#2", ["third"] = "#3", ["fourth"] = "#4", ["fifth"] = "#5",
        ["tenth"] = "#10", ["hundredth"] = "#100",
    };

    // Common words that start sentences (questions, requests); any other capitalised sentence start counts as a name.
    private static readonly HashSet<string> CommonStarts = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "i", "im", "ive", "id", "ill", "my", "me", "we", "our", "you", "your", "it", "its", "this",
        "that", "these", "those", "there", "here", "he", "she", "they", "his", "her", "their", "how", "what", "why",
        "when", "where", "who", "whom", "whose", "which", "whats", "hows", "wheres", "whos", "can", "could", "would",
        "should", "will", "shall", "may", "might", "must", "is", "are", "was", "were", "am", "be", "do", "does", "did",
        "have", "has", "had", "please", "pls", "hi", "hello", "hey", "thanks", "thank", "so", "and", "or", "but", "if",
        "then", "also", "any", "some", "all", "each", "every", "in", "on", "at", "for", "from", "to", "of", "with",
        "by", "about", "as", "after", "before", "is", "tell", "explain", "show", "give", "list", "describe", "help",
        "find", "get", "make", "write", "summarize", "summarise", "translate", "compare", "define", "need", "want",
        "looking", "trying", "quick", "question", "ok", "okay", "yes", "no", "not", "best", "good", "way", "ways",
        "steps", "one", "two", "anyone", "someone", "somebody", "anybody", "let", "lets", "suggest", "recommend", "provide",
        "generate", "create", "convert", "calculate", "plan", "sort", "split", "book", "reserve", "set", "send", "draft",
        "rewrite", "fix", "check", "name", "use", "using", "try", "say", "ask", "why", "hm", "hmm", "well", "now", "just",
    };

    /// <summary>True when nothing in the two texts rules out that they ask the same thing; otherwise false and the reason.</summary>
    public static bool AreCompatible(string a, string b, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var ta = Analyse(a);
        var tb = Analyse(b);

        if (ta.Negated != tb.Negated)
        {
            reason = "negation";
            return false;
        }

        if (HasOpposite(ta, tb) || HasOpposite(tb, ta))
        {
            reason = "opposite";
            return false;
        }

        if (Swapped(ta, tb))
        {
            reason = "direction";
            return false;
        }

        if (!ta.Numbers.SequenceEqual(tb.Numbers, StringComparer.Ordinal))
        {
            reason = "numbers";
            return false;
        }

        if (!NamesAgree(ta, tb))
        {
            reason = "names";
            return false;
        }

        reason = null;
        return true;
    }

    private static bool HasOpposite(Analysis x, Analysis y)
    {
        foreach (var w in x.WordSet)
        {
            if (y.WordSet.Contains(w)) continue;
            if (Opposites.TryGetValue(w, out var opposite))
            {
                foreach (var o in opposite)
                {
                    if (y.WordSet.Contains(o) && !x.WordSet.Contains(o)) return true;
                }
            }

            if (w.Length < 4) continue; // "to" / "into", "form" / "inform": prefixes only on real stems
            foreach (var prefix in NegatingPrefixes)
            {
                var prefixed = prefix + w;
                if (y.WordSet.Contains(prefixed) && !x.WordSet.Contains(prefixed)) return true;
            }
        }

        return false;
    }

    private static bool Swapped(Analysis x, Analysis y)
    {
        foreach (var (direction, target) in x.Directions)
        {
            if (!y.Directions.TryGetValue(direction, out var other) || other == target) continue;
            if (x.WordSet.Contains(other) && y.WordSet.Contains(target)) return true; // both name both, the other way round
        }

        return false;
    }

    private static bool NamesAgree(Analysis x, Analysis y)
    {
        foreach (var n in x.Names)
        {
            if (!y.WordSet.Contains(n)) return false;
        }

        foreach (var n in y.Names)
        {
            if (!x.WordSet.Contains(n)) return false;
        }

        // Every name of either text occurs in both: they must occur in the same order.
        var names = new HashSet<string>(x.Names, StringComparer.Ordinal);
        names.UnionWith(y.Names);
        if (names.Count < 2) return true;
        return Order(x, names).SequenceEqual(Order(y, names), StringComparer.Ordinal);
    }

    private static List<string> Order(Analysis t, HashSet<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var w in t.Words)
        {
            if (names.Contains(w) && seen.Add(w)) order.Add(w);
        }

        return order;
    }

    private static Analysis Analyse(string text)
    {
        var words = new List<string>();
        var names = new List<string>();
        var numbers = new List<string>();
        var negated = false;
        var sentenceStart = true;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '.' or '!' or '?' or ':' or ';' or '\n')
            {
                sentenceStart = true;
                i++;
                continue;
            }

            if (!char.IsLetterOrDigit(c))
            {
                i++;
                continue;
            }

            var start = i;
            var sb = new StringBuilder();
            var hasDigit = false;
            var hasLetter = false;
            var innerUpper = false;
            while (i < text.Length)
            {
                var ch = text[i];
                if (char.IsLetterOrDigit(ch))
                {
                    if (char.IsDigit(ch)) hasDigit = true;
                    else hasLetter = true;
                    if (i > start && char.IsUpper(ch)) innerUpper = true;
                    sb.Append(char.ToLowerInvariant(ch));
                    i++;
                }
                else if ((ch is '\'' or '’') && i + 1 < text.Length && char.IsLetter(text[i + 1]))
                {
                    if ((text[i + 1] is 's' or 'S') && (i + 2 == text.Length || !char.IsLetter(text[i + 2])))
                    {
                        i += 2; // London's → london, what's → what
                        break;
                    }

                    i++; // can't → cant, I'm → im
                }
                else if ((ch is '.' or ',') && hasDigit && !hasLetter && i + 1 < text.Length && char.IsDigit(text[i + 1]))
                {
                    if (ch == '.') sb.Append('.');
                    i++; // 10,000 → 10000; 2.5 stays
                }
                else if (ch == '-' && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]) && (hasDigit || innerUpper || char.IsDigit(text[i + 1])))
                {
                    i++; // GPT-4o → gpt4o
                }
                else
                {
                    break;
                }
            }

            var word = sb.ToString();
            var capitalised = char.IsUpper(text[start]);
            words.Add(word);

            if (Negations.Contains(word) || (word.EndsWith("nt", StringComparison.Ordinal) && text.AsSpan(start, i - start).Contains("n't", StringComparison.OrdinalIgnoreCase)))
            {
                negated = true;
            }

            if (hasDigit && !hasLetter)
            {
                numbers.Add(NormaliseNumber(word));
            }
            else if (NumberWords.TryGetValue(word, out var n))
            {
                numbers.Add(n);
            }
            else if (hasDigit || innerUpper)
            {
                names.Add(word); // iPhone, GPT-4o, S3, AWS
            }
            else if (capitalised && word != "i" && !(sentenceStart && CommonStarts.Contains(word)))
            {
                names.Add(word); // Paris; a sentence start only when it is not a common word
            }

            sentenceStart = false;
        }

        var directions = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var w = 0; w < words.Count - 1; w++)
        {
            if (!Directions.TryGetValue(words[w], out var direction) || directions.ContainsKey(direction)) continue;
            var next = w + 1;
            while (next < words.Count - 1 && Fillers.Contains(words[next])) next++;
            directions[direction] = words[next];
        }

        return new Analysis(words, new HashSet<string>(words, StringComparer.Ordinal), names, numbers, negated, directions);
    }

    private static string NormaliseNumber(string digits)
    {
        if (digits.Contains('.', StringComparison.Ordinal) &&
            decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d))
        {
            return d.ToString("0.############", CultureInfo.InvariantCulture);
        }

        var trimmed = digits.TrimStart('0');
        return trimmed.Length == 0 ? "0" : trimmed;
    }

    private static Dictionary<string, HashSet<string>> BuildOpposites()
    {
        var map = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (a, b) in OppositePairs)
        {
            foreach (var (x, y) in new[] { (a, b), (b, a) })
            {
                foreach (var fx in Forms(x))
                {
                    if (!map.TryGetValue(fx, out var set)) map[fx] = set = new HashSet<string>(StringComparer.Ordinal);
                    set.UnionWith(Forms(y));
                }
            }
        }

        return map;
    }

    // A word and its common inflections (enable → enables, enabled, enabling), enough for the pairs above.
    private static IEnumerable<string> Forms(string w)
    {
        yield return w;
        yield return w + "s";
        if (w.EndsWith('e'))
        {
            yield return w + "d";
            yield return w[..^1] + "ing";
        }
        else
        {
            yield return w + "ed";
            yield return w + "ing";
        }
    }

    private sealed record Analysis(List<string> Words, HashSet<string> WordSet, List<string> Names, List<string> Numbers, bool Negated,
        Dictionary<string, string> Directions);
}
