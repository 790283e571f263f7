#!/usr/bin/env python3
"""Rebuilds public-prompts.jsonl from the pinned commits of the public sources named in README.md.

Usage: build-corpus.py <mirror-of-f/awesome-chatgpt-prompts> <mirror-of-igapyon/chatgpt-prompts>
                       <mirror-of-dahatake/ChatGPT-Prompt-Sample-Japanese> <mirror-of-microsoft/Generative-AI-for-beginners-dotnet>
Each argument is a bare git directory (a clone or mirror). The output is deterministic for the pinned commits.
The development / held-out split is not computed here: PublicPromptCorpus.cs computes it from the id.
"""
import csv, hashlib, io, json, re, subprocess, sys

ACP = ("f/awesome-chatgpt-prompts", "50a97c072933c93c76cc0714e9dd4c4cf1d80ae7", "CC0-1.0")
IGA = ("igapyon/chatgpt-prompts", "b3af41d628bd0b111b57540af6f0f57a1519a267", "Apache-2.0")
DAH = ("dahatake/ChatGPT-Prompt-Sample-Japanese", "21c9bb3a651f621f980631826e8354bdd7b81d3d", "MIT")
GAB = ("microsoft/Generative-AI-for-beginners-dotnet", "399679343f0086776305aa263f03d05f982461f5", "MIT")
MAX_CHARS = 8000  # longer texts are documents more than system prompts (and slow the tests); they are left out

def git(d, *args):
    return subprocess.run(["git", "--git-dir=" + d, "-c", "core.quotepath=off", *args], check=True, capture_output=True).stdout.decode("utf-8")

ENGLISH_WORDS = {"the", "and", "you", "to", "of", "a", "in", "is", "for", "your", "with", "that", "be", "or", "as", "on", "will", "i", "it", "are"}

def language(text):
    """"ja" (kana present and CJK at least a quarter of the text), "en" (common English words), else "other"."""
    kana = len(re.findall(r"[\u3040-\u30ff]", text))
    cjk = len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if kana >= 5 and cjk >= 0.25 * (cjk + latin / 4): return "ja"  # ~4 Latin letters per word against one CJK character
    words = re.findall(r"[A-Za-z']+", text)
    if cjk < 0.05 * max(1, len(text)) and words and sum(w.lower() in ENGLISH_WORDS for w in words) >= 0.08 * len(words): return "en"
    return "other"

def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")[:60]

def entry(src, path, id_, text):
    text = text.replace("\r\n", "\n").strip()
    return {"id": id_, "source": src[0], "path": path, "commit": src[1], "licence": src[2], "language": language(text), "text": text}

def main(acp, iga, dah, gab):
    out, seen, dropped = [], set(), []
    def add(e):
        if len(e["text"]) < 20 or len(e["text"]) > MAX_CHARS or e["text"] in seen: return
        if e["language"] == "other": dropped.append(e["id"]); return  # Chinese, Russian, Spanish, …: not what the compressor handles
        seen.add(e["text"]); out.append(e)

    csv.field_size_limit(10**9)
    rows = csv.DictReader(io.StringIO(git(acp, "show", ACP[1] + ":prompts.csv")))
    for i, row in enumerate(rows, start=2):  # line 1 is the header
        if row.get("type") != "TEXT": continue  # STRUCTURED (JSON/YAML) and IMAGE prompts are left out
        add(entry(ACP, f"prompts.csv (row {i}: {row['act']})", f"acp-{i:04d}-{slug(row['act'])}", row["prompt"]))

    for path in git(iga, "ls-tree", "-r", "--name-only", IGA[1]).splitlines():
        if not path.endswith(".md") or path == "README.md": continue
        add(entry(IGA, path, "igapyon-" + slug(path[:-3]), git(iga, "show", f"{IGA[1]}:{path}")))

    for path in git(dah, "ls-tree", "-r", "--name-only", DAH[1]).splitlines():
        if not path.endswith(".md"): continue
        text = git(dah, "show", f"{DAH[1]}:{path}")
        for n, block in enumerate(re.findall(r"```[a-zA-Z]*\n(.*?)```", text, re.S), start=1):
            if len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", block)) < 20: continue  # commands, code, English
            add(entry(DAH, f"{path} (code block {n})", "dahatake-" + hashlib.sha1(path.encode()).hexdigest()[:8] + f"-{n}", block))

    # Single-literal system prompts / agent instructions in the samples (string concatenations and raw strings are skipped).
    pattern = re.compile(r'(?:ChatRole\.System,\s*|SystemChatMessage\(\s*|instructions:\s*|Instructions\s*=\s*)"((?:[^"\\\n]|\\.)*)"\s*[),;]')
    for path in git(gab, "ls-tree", "-r", "--name-only", GAB[1]).splitlines():
        if not path.endswith(".cs") or "/translations/" in path: continue
        for n, m in enumerate(pattern.finditer(git(gab, "show", f"{GAB[1]}:{path}")), start=1):
            add(entry(GAB, path, f"gabdotnet-{slug(path)}-{n}", m.group(1).replace('\\"', '"').replace("\\n", "\n")))

    ids = [e["id"] for e in out]
    assert len(ids) == len(set(ids)), "duplicate ids"
    sys.stderr.write(f"{len(out)} prompts; {len(dropped)} in other languages left out\n")
    sys.stdout.write("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in out))

if __name__ == "__main__":
    main(*sys.argv[1:5])
