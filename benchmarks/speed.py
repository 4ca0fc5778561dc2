"""Speed and memory: the fingerprint step and ``cleaner clean`` end to end, side by side.

A script, not a test (the figures depend on the machine). One run prints, for each size
(fragments; default 1,000, 10,000 and 100,000):

- the fingerprint step (signatures + LSH candidate pairs) on ~200-character Chinese
  fragments (character 5-grams, 128 permutations, threshold 0.3): ours
  (``fingerprint.signature_matrix`` + ``candidate_array``) against datasketch
  ``MinHash.bulk`` + ``MinHashLSH`` (insert and query every set) and rensa's bulk calls
  when it is installed (never a dependency); each the best of ``--repeat`` runs, taking
  turns, with the spread of the runs; fragments/s, MB/s of UTF-8 keys, the ratio to
  datasketch, peak traced memory (and per fragment), candidate pairs;
- ``cleaner clean DIR -o OUT`` on the generated pages holding that many blocks, with
  ``--jobs 1`` and ``--jobs 2`` (a child process each): pages/s, MB/s, peak resident
  memory of the child's main process (``VmHWM``; with ``--jobs 2`` the workers are not
  counted);
- the time of each stage of ``pipeline.clean_text``, calling the stage functions here.

    .venv/bin/python benchmarks/speed.py
    .venv/bin/python benchmarks/speed.py --sizes 1000 10000 --skip-datasketch-above 10000
    .venv/bin/python benchmarks/speed.py --repeat 5 --no-end-to-end

The corpus is deterministic: pages from the damage simulator (tests/damage.py, seed 0);
a fragment is a block's matching key, merged with the blocks after it until it has at
least 180 characters (repeated runs, near and cut copies stay in the corpus), its
ideographs moved along the CJK block by the page's number so that pages differ.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import damage  # noqa: E402
import numpy as np  # noqa: E402

from cleaner import fingerprint, languages  # noqa: E402
from cleaner.articles import assemble  # noqa: E402
from cleaner.config import DEFAULT  # noqa: E402
from cleaner.copies import copies_across_joins, find_copies  # noqa: E402
from cleaner.normalise import key, shingles  # noqa: E402
from cleaner.reading import repair  # noqa: E402
from cleaner.rejoin import rejoin  # noqa: E402
from cleaner.segment import segment  # noqa: E402
from cleaner.tidy import tidy  # noqa: E402

NUM_PERM, THRESHOLD, SHINGLE = 128, 0.3, 5
BLOCKS_PER_PAGE = 51           # mean blocks of a generated Chinese page (seed 0)


def pages(n: int) -> list[str]:
    return [p.text for p in damage.generate_pages("zh", n, seed=0)]


CJK, CJK_SIZE = 0x4E00, 20902


def _shifted(k: str, shift: int) -> str:
    """``k`` with every CJK ideograph moved ``shift`` places along the CJK block."""
    codes = np.frombuffer(k.encode("utf-32-le"), dtype=np.uint32).copy()
    cjk = (codes >= CJK) & (codes < CJK + CJK_SIZE)
    codes[cjk] = CJK + (codes[cjk] - CJK + shift) % CJK_SIZE
    return codes.tobytes().decode("utf-32-le")


def fragments(n: int) -> list[str]:
    """``n`` keys of ~200 characters cut from generated pages.

    The simulator draws every page from the same 16 articles, so pages repeat each
    other; each page's ideographs are moved along the CJK block by the page's number,
    which keeps the page's own repeats, near and cut copies and makes pages distinct
    (a corpus of 100,000 fragments, not of 16 articles printed 400 times)."""
    out: list[str] = []
    count = 0
    while len(out) < n:
        count = max(64, count * 2)
        out = []
        for number, text in enumerate(pages(count)):
            current = ""
            for block in re.split(r"\n\s*\n", text):
                current += key(block, languages.ZH)
                if len(current) >= 180:
                    out.append(_shifted(current, number))
                    current = ""
    return out[:n]


def traced(fn):
    """``fn()``'s result, wall seconds and peak traced memory (bytes)."""
    tracemalloc.start()
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, peak


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def ours(keys: list[str]):
    matrix = fingerprint.signature_matrix(keys, NUM_PERM, size=SHINGLE, words=False)
    return fingerprint.candidate_array(matrix, THRESHOLD, NUM_PERM)


def datasketch_bulk_lsh(keys: list[str]):
    from datasketch import MinHash, MinHashLSH
    encoded = [[s.encode("utf-8") for s in shingles(k, languages.ZH, SHINGLE)] for k in keys]
    sigs = MinHash.bulk(encoded, num_perm=NUM_PERM, seed=fingerprint.SEED)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for i, sig in enumerate(sigs):
            session.insert(i, sig, check_duplication=False)
    return {(min(i, j), max(i, j)) for i, sig in enumerate(sigs) for j in lsh.query(sig) if j != i}


#: rensa needs ``num_perm`` divisible by its number of bands, which datasketch's 37 × 3
#: for threshold 0.3 is not: 32 bands of 4 rows is the nearest that is (its candidates
#: differ, so its pair count is not comparable; its speed is)
RENSA_BANDS = 32


def rensa_lsh(keys: list[str]):
    import rensa  # optional, never a dependency: pip install rensa
    sets = [list(shingles(k, languages.ZH, SHINGLE)) for k in keys]
    sigs = rensa.RMinHash.from_token_sets(sets, NUM_PERM, fingerprint.SEED)
    lsh = rensa.RMinHashLSH(THRESHOLD, NUM_PERM, RENSA_BANDS)
    lsh.insert_many(sigs)
    return {(min(i, j), max(i, j)) for i, found in enumerate(lsh.query_all(sigs)) for j in found if j != i}


def runners(with_datasketch: bool) -> list[tuple[str, object]]:
    """The pipelines to time: ours, and datasketch and rensa (when installed) beside it."""
    chosen = [("ours (numpy)", ours)]
    if with_datasketch:
        chosen.append(("datasketch bulk + MinHashLSH", datasketch_bulk_lsh))
        try:
            import rensa  # noqa: F401
            chosen.append((f"rensa + RMinHashLSH ({RENSA_BANDS}×{NUM_PERM // RENSA_BANDS})", rensa_lsh))
        except ImportError:
            pass
    return chosen


def fingerprint_rows(n: int, with_datasketch: bool, repeat: int) -> list[dict]:
    """One row per pipeline: the best of ``repeat`` runs, the pipelines taking turns (so
    that a stretch of load from other processes hits all of them), and the spread of the
    runs (slowest over fastest) as a measure of that noise."""
    keys = fragments(n)
    mb = sum(len(k.encode("utf-8")) for k in keys) / 1e6
    chosen = runners(with_datasketch)
    for _, fn in chosen:
        fn(keys[:200])                                     # warm up (imports, caches)
    walls = {name: [] for name, _ in chosen}
    cpus = {name: [] for name, _ in chosen}
    pairs = {}
    for _ in range(repeat):
        for name, fn in chosen:
            started, cpu = time.perf_counter(), time.process_time()
            pairs[name] = fn(keys)
            walls[name].append(time.perf_counter() - started)
            cpus[name].append(time.process_time() - cpu)
    rows = []
    for name, fn in chosen:
        traced_too = n <= 10_000 or name.startswith("ours")
        peak = traced(lambda: fn(keys))[2] if traced_too else None
        best = min(walls[name])
        rows.append({"name": name, "n": n, "chars": sum(map(len, keys)) / n, "seconds": best,
                     "cpu": cpus[name][walls[name].index(best)], "spread": max(walls[name]) / best - 1,
                     "per_s": n / best, "mb_s": mb / best, "peak": peak, "pairs": len(pairs[name])})
    return rows


def stage_times(texts: list[str]) -> dict[str, float]:
    """Seconds spent in each stage of ``clean_text`` over ``texts``, the stages called here
    in pipeline.py's order."""
    spent = dict.fromkeys(("repair", "segment", "copies", "rejoin", "copies across joins", "articles", "tidy"), 0.0)
    config = DEFAULT
    for text in texts:
        (fixed, _), t = timed(lambda: repair(text))
        spent["repair"] += t
        lang = languages.get(config.lang, fixed)
        (blocks, _), t = timed(lambda: segment(fixed, lang))
        spent["segment"] += t
        (units, _), t = timed(lambda: find_copies(blocks, lang, config))
        spent["copies"] += t
        (paragraphs, _), t = timed(lambda: rejoin(blocks, units, lang))
        spent["rejoin"] += t
        (units, d_spanning), t = timed(lambda: copies_across_joins(units, paragraphs, lang, config))
        spent["copies across joins"] += t
        if d_spanning:
            (paragraphs, _), t = timed(lambda: rejoin(blocks, units, lang))
            spent["rejoin"] += t
        (articles, _), t = timed(lambda: assemble(blocks, units, paragraphs, lang, max_placements=config.max_placements))
        spent["articles"] += t
        _, t = timed(lambda: tidy(articles, lang))
        spent["tidy"] += t
    return spent


_CHILD = """
import re, sys
from cleaner.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    # VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec)
    status = open("/proc/self/status").read()
    print("MAXRSS", re.search(r"VmHWM:\\s+(\\d+)", status).group(1), file=sys.stderr)
"""


def end_to_end(texts: list[str], jobs: int, folder: Path) -> dict:
    inputs = folder / "in"
    if not inputs.exists():
        inputs.mkdir()
        for n, text in enumerate(texts):
            (inputs / f"page{n:05d}.txt").write_text(text, encoding="utf-8")
    out = folder / f"out{jobs}"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, "clean", str(inputs), "-o", str(out), "-q",
                           "--jobs", str(jobs)], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    rss = int(re.search(r"MAXRSS (\d+)", done.stderr).group(1)) * 1024
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    return {"jobs": jobs, "pages": len(texts), "seconds": seconds, "pages_s": len(texts) / seconds,
            "mb_s": mb / seconds, "rss": rss}


def sample_time() -> float:
    from cleaner import clean_text
    text = (ROOT / "samples" / "heze_page.txt").read_text(encoding="utf-8")
    clean_text(text)
    return min(timed(lambda: clean_text(text))[1] for _ in range(5))


def mib(n) -> str:
    return "–" if n is None else f"{n / 2**20:.1f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--skip-datasketch-above", type=int, default=100_000,
                        help="sizes above this time ours only (datasketch runs ~1,500 fragments/s)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each fingerprint pipeline, taking turns; the best is reported")
    parser.add_argument("--no-end-to-end", action="store_true")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; fingerprint: {NUM_PERM} permutations, "
          f"character {SHINGLE}-grams, threshold {THRESHOLD} (b, r = {fingerprint.bands(THRESHOLD, NUM_PERM)})")
    print(f"sample page (samples/heze_page.txt), clean_text: {sample_time() * 1000:.0f} ms\n")

    print(f"## fingerprint step (signatures + LSH candidate pairs), best of {args.repeat} runs\n")
    print("| fragments | chars | pipeline | s | CPU s | spread | fragments/s | MB/s | × datasketch "
          "| peak traced | per fragment | pairs |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        rows = fingerprint_rows(n, n <= args.skip_datasketch_above, args.repeat)
        base = next((r["per_s"] for r in rows if r["name"].startswith("datasketch")), None)
        for r in rows:
            ratio = f"{r['per_s'] / base:.1f}×" if base else "–"
            each = "–" if r["peak"] is None else f"{r['peak'] / n:,.0f} B"
            print(f"| {n:,} | {r['chars']:.0f} | {r['name']} | {r['seconds']:.2f} | {r['cpu']:.2f} | "
                  f"{r['spread']:.0%} | {r['per_s']:,.0f} | {r['mb_s']:.2f} | {ratio} | {mib(r['peak'])} | "
                  f"{each} | {r['pairs']:,} |", flush=True)
    print("\ns: the fastest run's wall time (CPU s: its CPU time; well below s means other work "
          "took the core); spread: slowest run over fastest, minus one; peak traced: "
          "tracemalloc's peak over one more run, beyond the fragments themselves.")
    if args.no_end_to_end:
        return 0

    print("\n## cleaner clean, end to end (pages of the damage simulator, zh)\n")
    print("| blocks | pages | MB | jobs | s | pages/s | MB/s | speed-up | peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    stages = {}
    for n in args.sizes:
        texts = pages(max(1, n // BLOCKS_PER_PAGE))
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        with tempfile.TemporaryDirectory() as tmp:
            one = end_to_end(texts, 1, Path(tmp))
            two = end_to_end(texts, 2, Path(tmp))
        for r in (one, two):
            print(f"| {n:,} | {len(texts):,} | {mb:.2f} | {r['jobs']} | {r['seconds']:.1f} | {r['pages_s']:.1f} | "
                  f"{r['mb_s']:.2f} | {one['seconds'] / r['seconds']:.2f}× | {mib(r['rss'])} |", flush=True)
        stages[n] = (len(texts), stage_times(texts))

    print("\n## stages of clean_text (seconds, in process, --jobs 1)\n")
    names = list(next(iter(stages.values()))[1])
    print("| blocks | pages | " + " | ".join(names) + " | total |")
    print("|---:|---:|" + "---:|" * (len(names) + 1))
    for n, (count, spent) in stages.items():
        total = sum(spent.values())
        cells = " | ".join(f"{spent[s]:.2f} ({spent[s] / total:.0%})" for s in names)
        print(f"| {n:,} | {count:,} | {cells} | {total:.2f} |")
    print(f"\npeak RSS of this process: {mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
