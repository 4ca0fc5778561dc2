"""Corpus mode at scale: time and peak memory of clustering 10k, 100k and 1M fragments.

    python benchmarks/corpus.py                        # 10k and 100k fragments
    python benchmarks/corpus.py --sizes 1000000        # one size (each runs in a fresh process)
    python benchmarks/corpus.py --sizes 100000 --index # also store them in a SQLite index

Fragments come from the damage simulator (tests/damage.py): "stories" are corpus
articles with half of their characters (Chinese) or words (English) replaced at random
(``--replace``), so that every story is a distinct text; each story is printed on 1-4
pages (65 % once, 20 % twice, 15 % three or four times, like wire copy), every page laid
out and damaged by ``damage.damage_page`` (cuts, moved tails, repeated runs, near and
truncated copies, noise). The corpus has only 30 articles (341 paragraphs), so at 1M
fragments each paragraph is the base of ~3,000 stories: with 20 % replaced
(``--replace 0.2``) stories of one base still share 10–30 % of their shingles (Jaccard),
enough to be LSH candidates of each other (threshold 0.3), and candidates per fragment
grow with the corpus (9 at 100k, 13 at 300k) up to the bucket cap; with half replaced
they share about as little as distinct real reports do. A fragment is one block of a
damaged page (a run of lines between blank lines), made into a
:class:`cleaner.corpus.Record` directly: the per-page cleaning is not part of this
measure (its cost is per page, ~0.04 s for a newspaper page, and parallel with --jobs).

Reported per size: generation time (not counted), then the corpus core
(:func:`cleaner.corpus.cluster_records`: signatures, LSH bucket pairs, exact
verification, components, representatives) and, with ``--index``, storing everything in
a SQLite index: seconds, fragments per second, peak resident memory of the process
(generation included) and clusters found. "core s" is wall-clock time and "core CPU s" the
process's CPU time: on a machine shared with other work the second is the steadier figure.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _mutate(text: str, rng: random.Random, share: float, alphabet: list[str], spaced: bool) -> str:
    if spaced:
        words = text.split(" ")
        return " ".join(rng.choice(alphabet) if rng.random() < share else w for w in words)
    return "".join(rng.choice(alphabet) if rng.random() < share and "\u4e00" <= c <= "\u9fff" else c for c in text)


def stories(lang: str, rng: random.Random, alphabet: list[str], share: float):
    import damage

    pool = damage.load_corpus(lang)
    spaced = lang == "en"
    while True:
        base = rng.choice(pool)
        story = dict(base)
        story["paragraphs"] = [_mutate(p, rng, share, alphabet, spaced) for p in base["paragraphs"]]
        story["headline"] = _mutate(base["headline"], rng, share, alphabet, spaced)
        yield story


def fragments(n: int, seed: int = 0, share: float = 0.5):
    """``n`` fragment records from damaged pages (see the module docstring)."""
    import damage

    from cleaner.corpus import Record
    from cleaner.languages import LANGUAGES
    from cleaner.normalise import key

    rng = random.Random(seed)
    alphabets = {}
    for lang in ("zh", "en"):
        text = " ".join(p for a in damage.load_corpus(lang) for p in a["paragraphs"])
        alphabets[lang] = (sorted({w for w in text.split(" ") if w.isalpha()}) if lang == "en"
                           else sorted({c for c in text if "\u4e00" <= c <= "\u9fff"}))
    makers = {lang: stories(lang, rng, alphabets[lang], share) for lang in ("zh", "en")}
    queue = {"zh": [], "en": []}          # stories waiting for their reprints
    out: list = []
    page = 0
    while len(out) < n:
        lang = "zh" if rng.random() < 0.5 else "en"
        chosen, regions = [], set()
        for _ in range(rng.randint(2, 4)):
            waiting = [s for s in queue[lang] if s["region"] not in regions]
            if waiting and rng.random() < 0.5:
                story = waiting[0]
                queue[lang].remove(story)
            else:
                story = next(makers[lang])
                while story["region"] in regions:
                    story = next(makers[lang])
                roll = rng.random()
                copies = 0 if roll < 0.65 else 1 if roll < 0.85 else rng.randint(2, 3)
                queue[lang].extend([story] * copies)
            regions.add(story["region"])
            chosen.append(story)
        text = damage.damage_page(chosen, rng.randrange(2 ** 32), lang).text
        page += 1
        source = f"page{page:07d}.txt"
        offset = 0
        for number, block in enumerate(text.split("\n\n")):
            start = offset
            offset += len(block) + 2
            if not block.strip():
                continue
            out.append(Record(f"{source}#1/0/{number}", "fragment", len(out), source, 1, 0, number, (number,),
                              ((start, start + len(block)),), lang, key(block, LANGUAGES[lang])))
            if len(out) == n:
                break
    return out, page


def measure(n: int, with_index: bool, share: float) -> dict:
    from cleaner.corpus import Rules, cluster_records, eligible, signature_matrix

    started = time.perf_counter()
    records, pages = fragments(n, share=share)
    generated = time.perf_counter() - started
    base_mb = peak_mb()
    rules = Rules()
    started, cpu = time.perf_counter(), time.process_time()
    clusters = cluster_records(records, rules)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    result = {"fragments": n, "pages": pages, "generate_s": round(generated, 1), "core_s": round(seconds, 1),
              "core_cpu_s": round(cpu, 1), "per_s": round(n / seconds), "peak_mb": round(peak_mb()),
              "after_generation_mb": round(base_mb),
              "clusters": len(clusters), "duplicates": sum(len(c.members) - 1 for c in clusters),
              "largest": max((len(c.members) for c in clusters), default=0)}
    if with_index:
        from cleaner.index import SQLiteStore

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.sqlite"
            store = SQLiteStore(path, rules)
            started = time.perf_counter()
            part = eligible(records, rules)
            sigs = signature_matrix(part, rules)
            for i in range(0, len(part), 5000):
                store.add(part[i:i + 5000], sigs[i:i + 5000])
            result["index_store_s"] = round(time.perf_counter() - started, 1)
            result["index_mb_on_disk"] = round(sum(p.stat().st_size for p in Path(folder).iterdir()) / 2 ** 20)
            store.close()
        result["peak_mb"] = round(peak_mb())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--index", action="store_true", help="also store the fragments in a SQLite index")
    parser.add_argument("--replace", type=float, default=0.5, metavar="SHARE",
                        help="share of a story's characters (zh) or words (en) replaced [default: 0.5]")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, args.index, args.replace)))
        return 0
    print("| fragments | pages | core s | core CPU s | fragments/s | peak MB | clusters | duplicates | largest |"
          + (" index store s | index MB |" if args.index else ""))
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if args.index else ""))
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--replace", str(args.replace)] + (
            ["--index"] if args.index else [])
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        print(f"| {r['fragments']:,} | {r['pages']:,} | {r['core_s']} | {r['core_cpu_s']} | {r['per_s']:,} | "
              f"{r['peak_mb']:,} | "
              f"{r['clusters']:,} | {r['duplicates']:,} | {r['largest']} |"
              + (f" {r['index_store_s']} | {r['index_mb_on_disk']:,} |" if args.index else ""), flush=True)
        print(f"  (generation {r['generate_s']} s, not counted; {r['after_generation_mb']:,} MB after it)",
              file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
