"""Resource bounds of ``cleaner.clean_text`` on hostile page shapes: time and peak memory.

A script, not a test (timings depend on the machine). Each case runs in a fresh child
process, so that one case's memory does not hide another's, under a time limit and an
address-space cap, so that a blow-up is reported instead of taking the machine down:

    .venv/bin/python benchmarks/limits.py                 # every case, a Markdown table
    .venv/bin/python benchmarks/limits.py repeat_zh line_en_5mb --timeout 60
    .venv/bin/python benchmarks/limits.py tiny_vocab_zh --profile   # cProfile's top entries

Cases (all built here from samples/ and tests/corpus/, nothing downloaded):

- ``sample``: samples/heze_page.txt, for reference;
- ``repeat_zh`` / ``repeat_en``: one paragraph printed 20,000 times (blank lines between);
- ``line_zh_5mb`` / ``line_en_5mb``: a single 5 MB line of running text;
- ``tiny_distinct_zh`` / ``tiny_distinct_en``: 50,000 distinct short lines, blank lines
  between (50,000 blocks);
- ``tiny_vocab_zh`` / ``tiny_vocab_en``: 50,000 short lines drawn from a small
  vocabulary, so that many are identical or near-duplicates of each other;
- ``wrapped_zh_5mb`` / ``wrapped_en_5mb``: the 5 MB line hard-wrapped, no blank lines;
- ``markers_zh``: one block of 50,000 lines, every other one a continuation marker;
- ``run_on_en``: 20,000 unfinished lowercase paragraphs from a 15-word vocabulary, which
  all join into one paragraph and are all near-copies of each other;
- ``articles_zh``: 600 short articles (kicker, lede, paragraph);
- ``kickers_zh``: 20,000 kicker lines, refused by ``max_placements``.

The 5 MB lines are made of the corpus's sentences with their words (characters) shuffled,
so that no sentence repeats: the worst case for finding repeats.

Columns: input size, blocks, CPU time of ``clean_text`` (wall time too, which depends on
what else the machine runs), peak resident memory of the child above what it used before
the call (``resource.getrusage``), articles out or the error raised.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "heze_page.txt"
CORPUS = ROOT / "tests" / "corpus"

REPEATS = 20_000
LINE_BYTES = 5_000_000
TINY_BLOCKS = 50_000
ARTICLES = 600


def _sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def _corpus_paragraphs(lang: str) -> list[str]:
    out = []
    for path in sorted((CORPUS / lang).glob("*.json")):
        out.extend(json.loads(path.read_text(encoding="utf-8"))["paragraphs"])
    return out


def _to_bytes(pieces: list[str], sep: str, size: int) -> str:
    """Join ``pieces`` (cycling) until the UTF-8 text reaches ``size`` bytes."""
    out, total, n = [], 0, 0
    while total < size:
        piece = pieces[n % len(pieces)]
        out.append(piece)
        total += len(piece.encode("utf-8")) + len(sep)
        n += 1
    return sep.join(out)


def _cjk_chars() -> list[str]:
    text = _sample() + "".join(_corpus_paragraphs("zh"))
    return sorted({c for c in text if "\u4e00" <= c <= "\u9fff"})


def _en_words() -> list[str]:
    words = " ".join(_corpus_paragraphs("en")).split()
    return sorted({w.strip(".,;:“”\"'()") for w in words if w.isalpha()})


def _shuffled_sentences(lang: str, rng: random.Random) -> list[str]:
    """The corpus's sentences, each with its words (characters for Chinese) shuffled, so
    that a page built from them repeats none: the worst case for finding repeats."""
    from cleaner.languages import LANGUAGES, sentences

    out = []
    for para in _corpus_paragraphs(lang):
        for sentence in sentences(para, LANGUAGES[lang]):
            body, end = sentence.rstrip(), ""
            while body and body[-1] in "。!?!?.;;”’\"'":
                body, end = body[:-1], body[-1] + end
            units = body.split() if lang == "en" else list(body)
            rng.shuffle(units)
            out.append((" ".join(units) if lang == "en" else "".join(units)) + (end or "."))
    return out


def _wrap(text: str, width: int) -> str:
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


def build(case: str) -> str:
    """The page text of ``case``."""
    sys.path.insert(0, str(ROOT))
    rng = random.Random(0)
    if case == "sample":
        return _sample()
    if case == "repeat_zh":
        para = next(p for p in _sample().split("\n\n") if p.startswith("党群服务中心是党员"))
        return "\n\n".join([para.strip()] * REPEATS) + "\n"
    if case == "repeat_en":
        return "\n\n".join([_corpus_paragraphs("en")[1]] * REPEATS) + "\n"
    if case in ("line_zh_5mb", "line_en_5mb", "wrapped_zh_5mb", "wrapped_en_5mb"):
        lang = case.split("_")[1]
        pieces = []
        while sum(len(p) for p in pieces) < LINE_BYTES:      # shuffled again each round: distinct
            pieces.extend(_shuffled_sentences(lang, rng))
        line = _to_bytes(pieces, " " if lang == "en" else "", LINE_BYTES)
        return (_wrap(line, 70 if lang == "en" else 30) if case.startswith("wrapped") else line) + "\n"
    if case == "tiny_distinct_zh":
        chars = _cjk_chars()
        lines = {"".join(rng.choice(chars) for _ in range(rng.randint(4, 8))) for _ in range(TINY_BLOCKS * 2)}
        return "\n\n".join(sorted(lines)[:TINY_BLOCKS]) + "\n"
    if case == "tiny_distinct_en":
        words = _en_words()
        return "\n\n".join(f"{rng.choice(words)} {rng.choice(words)} {n}" for n in range(TINY_BLOCKS)) + "\n"
    if case == "tiny_vocab_zh":
        vocab = "党建引领乡村振兴服务群众"
        return "\n\n".join("".join(rng.choice(vocab) for _ in range(rng.randint(4, 8)))
                           for _ in range(TINY_BLOCKS)) + "\n"
    if case == "tiny_vocab_en":
        vocab = "the county board said roads water plan budget tax school".split()
        return "\n\n".join(" ".join(rng.choice(vocab) for _ in range(rng.randint(2, 5)))
                           for _ in range(TINY_BLOCKS)) + "\n"
    if case == "markers_zh":
        # one block: a marker on every other line, short text between
        chars = _cjk_chars()
        return "\n".join("(上接B6版)" if n % 2 else "".join(rng.choice(chars) for _ in range(12)) + "。"
                         for n in range(TINY_BLOCKS)) + "\n"
    if case == "run_on_en":
        words = "the county board said roads water plan budget tax school would need more money for".split()
        return "\n\n".join(" ".join(rng.choice(words) for _ in range(35)) for _ in range(20_000)) + "\n"
    if case == "kickers_zh":
        return "\n\n".join(f"{chr(0x4e00 + n % 5000)}{chr(0x4e00 + n // 5000)}县:标题{n}" for n in range(20_000)) + "\n"
    if case == "articles_zh":
        # ARTICLES articles, each a kicker headline, a lede naming its county and a paragraph
        chars, sentences = _cjk_chars(), _shuffled_sentences("zh", rng)
        out = []
        for n in range(ARTICLES):
            county = "".join(rng.choice(chars) for _ in range(2)) + "县"
            out += [f"{county}:{''.join(rng.choice(chars) for _ in range(10))}",
                    f"近年来,山东省菏泽市{county}{rng.choice(sentences)}",
                    "".join(rng.choice(sentences) for _ in range(3))]
        return "\n\n".join(out) + "\n"
    raise SystemExit(f"unknown case {case!r}: choose from {', '.join(CASES)}")


CASES = ("sample", "repeat_zh", "repeat_en", "line_zh_5mb", "line_en_5mb", "wrapped_zh_5mb", "wrapped_en_5mb",
         "tiny_distinct_zh", "tiny_distinct_en", "tiny_vocab_zh", "tiny_vocab_en", "markers_zh", "run_on_en",
         "articles_zh", "kickers_zh")


def _rss_kb() -> int:
    """Resident memory now, in KiB (Linux), else the peak so far."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_one(case: str, profile: bool) -> dict:
    """Clean one case in this process; returns its measurements."""
    sys.path.insert(0, str(ROOT))
    from cleaner import CleanerError, clean_text

    text = build(case)
    clean_text("单县:创建示范片区\n\n近年来,单县紧紧围绕主线。")  # imports and caches warm
    before = _rss_kb()
    cpu = time.process_time()
    start = time.perf_counter()
    try:
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(clean_text, text)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
        else:
            result = clean_text(text)
        outcome = {"blocks": len(result.blocks), "articles": len(result.articles)}
    except CleanerError as err:
        outcome = {"error": f"{type(err).__name__}: {err}"}
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"case": case, "bytes": len(text.encode("utf-8")), "cpu": round(cpu, 2), "seconds": round(seconds, 2),
            "peak_mb": round(max(0, peak - before) / 1024, 1), **outcome}


def measure(case: str, timeout: float, memory_mb: int, profile: bool) -> dict:
    """Run one case in a child process under a time limit and a memory cap."""
    def limit() -> None:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    command = [sys.executable, __file__, "--child", case] + (["--profile"] if profile else [])
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return {"case": case, "bytes": len(build(case).encode("utf-8")), "error": f"over {timeout:.0f} s (killed)"}
    if profile:
        sys.stderr.write(done.stderr)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"case": case, "bytes": len(build(case).encode("utf-8")), "error": f"exit {done.returncode}: {last}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    lines = ["| case | input | blocks | CPU time (wall) | peak memory | articles |", "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        size = f"{r['bytes'] / 1e6:.2f} MB" if r["bytes"] >= 100_000 else f"{r['bytes'] / 1e3:.1f} KB"
        if "error" in r and "seconds" not in r:
            lines.append(f"| `{r['case']}` | {size} | | {r['error']} | | |")
            continue
        time_ = f"{r['cpu']:.1f} s ({r['seconds']:.1f} s)"
        if "error" in r:
            lines.append(f"| `{r['case']}` | {size} | | {time_} | {r['peak_mb']:.0f} MB | {r['error'].split(':')[0]} |")
            continue
        lines.append(f"| `{r['case']}` | {size} | {r['blocks']:,} | {time_} | {r['peak_mb']:.0f} MB "
                     f"| {r['articles']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", help=f"cases to run [default: all: {', '.join(CASES)}]")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per case [300]")
    parser.add_argument("--memory-mb", type=int, default=8192, help="address-space cap per case [8192]")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top entries to stderr")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.profile)))
        return
    rows = []
    for case in args.cases or CASES:
        rows.append(measure(case, args.timeout, args.memory_mb, args.profile))
        print(f"{case}: {rows[-1]}", file=sys.stderr, flush=True)
    print(table(rows))


if __name__ == "__main__":
    main()
