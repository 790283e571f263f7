#!/usr/bin/env python3
"""Builds PromptOps' built-in price catalogue from LiteLLM's model_prices_and_context_window.json (MIT).

    python3 tools/prices/generate.py [path/to/model_prices_and_context_window.json]

Without an argument it regenerates from the committed extract (tools/prices/litellm-extract.json).
With one it selects the current models of the major providers from the full map, writes the extract (the same
format, only the selected entries and the price fields PromptOps reads) and then the C# table
src/Shared/Knowledge/DefaultPrices.Catalog.cs. The extract is the one source: the C# file is generated from it and a
test (PriceCatalogDataTests) imports the extract and checks that every built-in entry matches it.
Source of the committed extract: github.com/RoCry/llm-api-price (a daily copy of BerriAI/litellm's map).
"""
import json, os, re, sys
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXTRACT = os.path.join(ROOT, "tools", "prices", "litellm-extract.json")
OUT = os.path.join(ROOT, "src", "Shared", "Knowledge", "DefaultPrices.Catalog.cs")

PRICE_FIELDS = [
    "input_cost_per_token", "cache_read_input_token_cost", "cache_creation_input_token_cost", "output_cost_per_token",
    "input_cost_per_token_batches", "output_cost_per_token_batches",
    "input_cost_per_token_above_128k_tokens", "output_cost_per_token_above_128k_tokens",
    "input_cost_per_token_above_200k_tokens", "output_cost_per_token_above_200k_tokens",
    "cache_read_input_token_cost_above_200k_tokens", "cache_creation_input_token_cost_above_200k_tokens",
    "input_cost_per_token_above_272k_tokens", "output_cost_per_token_above_272k_tokens",
    "cache_read_input_token_cost_above_272k_tokens", "cache_creation_input_token_cost_above_272k_tokens",
]
KEEP_FIELDS = PRICE_FIELDS + ["litellm_provider", "mode"]

# Providers whose published Batch API takes 50% off every model (OpenAI Batch API, Anthropic Message Batches,
# Gemini / Vertex AI batch prediction). The map carries batch prices for only some of their models; the others get 50%.
BATCH_HALF_PRICE_PROVIDERS = {"openai", "anthropic", "gemini", "vertex_ai-language-models", "vertex_ai-anthropic_models"}

EXCLUDE = re.compile(r"(^ft:|audio|realtime|search|image|tts|transcribe|live|robotics|computer-use|omni|customtools|embedding|-guard|safeguard|-free$|^together-ai-)", re.I)
BEDROCK_ANTHROPIC = re.compile(r"^((us|eu|apac|au|jp|global|us-gov)\.)?anthropic\.claude-(3-7|haiku-4|sonnet-4|opus-4|sonnet-5|opus-5)")


def priced(v):
    """Per-token prices, not both zero (free experimental entries are not list prices)."""
    return (isinstance(v, dict) and isinstance(v.get("input_cost_per_token"), (int, float)) and isinstance(v.get("output_cost_per_token"), (int, float))
            and v["input_cost_per_token"] + v["output_cost_per_token"] > 0)


def select(full):
    """(catalogue id, entry) pairs: the major providers' text models and the open-weight hosts DeepSeek, Groq, Together AI."""
    chosen = {}
    for key, v in full.items():
        if not priced(v) or v.get("mode") not in ("chat", "responses") or EXCLUDE.search(key):
            continue
        p = v.get("litellm_provider")
        if p in ("openai", "anthropic") and "/" not in key:
            chosen[key] = v
        elif p == "vertex_ai-language-models" and "/" not in key and key.startswith("gemini-"):
            chosen[key] = v
        elif p == "gemini" and key.startswith("gemini/gemini-"):
            chosen.setdefault(key[len("gemini/"):], v)  # Google AI Studio ids; the bare Vertex entry wins when both exist
        elif p == "gemini" and "/" not in key and key.startswith("gemini-"):
            chosen.setdefault(key, v)
        elif p == "bedrock_converse" and BEDROCK_ANTHROPIC.match(key) and "@" not in key:
            chosen[key] = v
        elif p == "deepseek" and "/" not in key:
            chosen[key] = v
        elif p in ("groq", "together_ai") and key.startswith(p + "/"):
            chosen[key] = v
    # bare Vertex keys take precedence over gemini/ ones: re-apply them
    for key, v in full.items():
        if priced(v) and v.get("litellm_provider") == "vertex_ai-language-models" and key in chosen:
            chosen[key] = v
    return {k.lower(): chosen[k] for k in sorted(chosen, key=str.lower)}


# Tier of each family (dated and regional ids take their family's tier). The meaning of the tiers: fast_cheap for
# classification/sentiment/yes-no, balanced for short answers/summaries/translation, high_quality for generation/code/
# analysis, best for contract analysis and creative writing. Models not listed have no tier (priced, never routed to).
TIERS = [
    (r"^gpt-4o-mini|^gpt-4\.1-mini|^gpt-4\.1-nano|^gpt-5-nano|^gpt-5\.4-nano|^gemini-2\.0-flash|^gemini-2\.5-flash-lite|^gemini-flash-lite|^claude-3-haiku", "FastCheap"),
    (r"^gpt-5-mini|^gpt-5\.4-mini|^o4-mini|^o3-mini|^gemini-2\.5-flash|^gemini-flash-latest|claude-haiku-4-5|^deepseek-chat|^deepseek-v4-flash", "Balanced"),
    (r"^gpt-4o|^chatgpt-4o|^gpt-4\.1|^gpt-4-turbo|^gpt-5(\.[0-9])?(-20|-chat|$)|^o3(-20|$)|^o1(-20|$)|^gemini-2\.5-pro|^gemini-pro-latest|^gemini-3(\.[0-9])?-flash|^deepseek-reasoner|^deepseek-v4-pro", "HighQuality"),
    (r"claude-(3-7-)?sonnet|claude-4-sonnet|claude-(4-)?opus|claude-3-opus|claude-opus|claude-sonnet|^gpt-5\.[5-9]|^gemini-3(\.[0-9])?-pro", "Best"),
]


def tier_of(model):
    for pattern, tier in TIERS:
        if re.search(pattern, model):
            return tier
    return None


def per_million(v, field):
    x = v.get(field)
    if not isinstance(x, (int, float)):
        return None
    return (Decimal(repr(x)) * 1_000_000).normalize()


def cs_decimal(d):
    if d is None:
        return "null"
    s = format(d, "f")
    return s + "m"


def long_context(v):
    for threshold in ("128k", "200k", "272k"):
        i = per_million(v, "input_cost_per_token_above_%s_tokens" % threshold)
        if i is not None:
            o = per_million(v, "output_cost_per_token_above_%s_tokens" % threshold)
            c = per_million(v, "cache_read_input_token_cost_above_%s_tokens" % threshold)
            # A long-context cache-write price only where the model has a cache-write price at all (Gemini's entries
            # carry a context-cache field here that is not a per-request write price).
            w = per_million(v, "cache_creation_input_token_cost_above_%s_tokens" % threshold) if per_million(v, "cache_creation_input_token_cost") is not None else None
            return int(threshold[:-1]) * 1000, i, c, w, o
    return None


DATED = [re.compile(r"^(.+)@(\d{8}|\d{3})$"), re.compile(r"^(.+)-(20\d\d)-(\d\d)-(\d\d)$"), re.compile(r"^(.+)-(20\d{6})$"), re.compile(r"^(.+)-0\d\d$")]


def family_of(model):
    """The family a dated id resolves to (the same rule as DefaultPrices.StripDateSuffix), or None."""
    for pattern in DATED:
        m = pattern.match(model)
        if m:
            return m.group(1)
    return None


def main():
    if len(sys.argv) > 1:
        full = json.load(open(sys.argv[1], encoding="utf-8"))
        date = full.get("last_updated")
        chosen = select(full)
        extract = {"last_updated": date}
        for k, v in chosen.items():
            extract[k] = {f: v[f] for f in KEEP_FIELDS if f in v and not isinstance(v[f], dict)}
        with open(EXTRACT, "w", encoding="utf-8", newline="\n") as f:
            json.dump(extract, f, indent=1, sort_keys=False)
            f.write("\n")
    extract = json.load(open(EXTRACT, encoding="utf-8"))
    date = str(extract["last_updated"])[:10]
    lines = []
    rows = {}
    for model, v in extract.items():
        if not isinstance(v, dict):
            continue
        inp = per_million(v, "input_cost_per_token")
        out = per_million(v, "output_cost_per_token")
        cached = per_million(v, "cache_read_input_token_cost")
        write = per_million(v, "cache_creation_input_token_cost")
        bin_ = per_million(v, "input_cost_per_token_batches")
        if bin_ is not None and inp > 0 and bin_ < inp:
            batch = (1 - bin_ / inp).quantize(Decimal("0.0001")).normalize()
        elif v.get("litellm_provider") in BATCH_HALF_PRICE_PROVIDERS:
            batch = Decimal("0.5")
        else:
            batch = Decimal("0")
        tier = tier_of(model)
        lc = long_context(v)
        args = [json.dumps(model), cs_decimal(inp), cs_decimal(cached if cached is not None else inp), cs_decimal(write), cs_decimal(out),
                cs_decimal(batch), "ModelTier." + tier if tier else "null", json.dumps(v.get("litellm_provider"))]
        if lc:
            args += [str(lc[0]), cs_decimal(lc[1]), cs_decimal(lc[2]), cs_decimal(lc[3]), cs_decimal(lc[4])]
        rows[model] = args
    dropped = 0
    for model, args in rows.items():
        # A dated id priced exactly like its family is not a separate row: it resolves to the family
        # (claude-haiku-4-5-20251001 -> claude-haiku-4-5). A dated id priced differently (gpt-4o-2024-05-13) stays.
        family = family_of(model)
        if family in rows and rows[family][1:7] + rows[family][8:] == args[1:7] + args[8:]:
            dropped += 1
            continue
        lines.append("            P(" + ", ".join(args) + "),")
    cs = """// <auto-generated>
// Generated by tools/prices/generate.py from tools/prices/litellm-extract.json (LiteLLM's price map, MIT,
// taken %(date)s). Do not edit: change the script or the extract and run `python3 tools/prices/generate.py`.
// One source of truth for the knowledge tables (see ModelTier.cs). Keep this file netstandard2.0-compatible.
// </auto-generated>
#nullable enable

namespace PromptOps.Knowledge
{
    static partial class DefaultPrices
    {
        /// <summary>The date the built-in prices were taken from the source (yyyy-MM-dd).</summary>
        public const string CatalogDate = "%(date)s";

        /// <summary>Where the built-in prices come from.</summary>
        public const string CatalogSource = "LiteLLM model_prices_and_context_window.json (MIT), via github.com/RoCry/llm-api-price";

        private static ModelPriceInfo[] CreateCatalog() => new[]
        {
%(lines)s
        };
    }
}
""" % {"date": date, "lines": "\n".join(lines)}
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(cs)
    print("%d entries (%d dated ids priced like their family left to resolution), taken %s -> %s" % (len(lines), dropped, date, os.path.relpath(OUT, ROOT)))


if __name__ == "__main__":
    main()
