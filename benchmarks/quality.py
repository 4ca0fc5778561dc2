"""Quality over many generated pages: the numbers quoted in README and issue notes.

    python benchmarks/quality.py                 # 100 pages per language and seed, seeds 1-3
    python benchmarks/quality.py --pages 30 --seeds 0

For each language and seed it cleans the damage simulator's pages (tests/damage.py)
and scores them with the project's own scorer (tests/scoring.py): mean f1, the worst
page, broken sentences, duplicate and foreign residue, and pages whose set of titles
came out wrong. Also the sample page against its reference.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

import damage  # noqa: E402
import quality  # noqa: E402

from cleaner import clean_text  # noqa: E402
from cleaner.languages import LANGUAGES  # noqa: E402
from cleaner.normalise import key  # noqa: E402


def title_keys(titles, lang) -> set[str]:
    return {key(t.split(":", 1)[-1], LANGUAGES[lang]) for t in titles}


def run(lang: str, pages: int, seed: int) -> dict:
    started = time.perf_counter()
    f1, broken, dups, foreign, wrong_titles = [], 0, [], [], 0
    for page in damage.generate_pages(lang, pages, seed=seed):
        result = clean_text(page.text)
        report = quality.scoring.score(page.gold, quality.records(result))
        f1.append(report["mean_f1"])
        broken += report["total_broken"]
        dups.append(report["max_dup"])
        foreign.append(report["max_foreign"])
        gold = title_keys([a["title"] for a in page.gold["articles"]], lang)
        if title_keys([a.title for a in result.articles], lang) != gold:
            wrong_titles += 1
    return {"lang": lang, "seed": seed, "pages": pages, "mean_f1": sum(f1) / len(f1), "min_f1": min(f1),
            "broken": broken, "mean_dup": sum(dups) / len(dups), "mean_foreign": sum(foreign) / len(foreign),
            "wrong_titles": wrong_titles, "seconds": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    print(f"sample mean f1: {quality.sample_report()['mean_f1']:.4f}")
    print("| lang | seed | pages | mean f1 | min f1 | broken | mean dup | mean foreign | wrong titles | s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lang in ("zh", "en"):
        for seed in args.seeds:
            r = run(lang, args.pages, seed)
            print(f"| {lang} | {seed} | {r['pages']} | {r['mean_f1']:.4f} | {r['min_f1']:.3f} | {r['broken']} | "
                  f"{r['mean_dup']:.4f} | {r['mean_foreign']:.4f} | {r['wrong_titles']} | {r['seconds']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
