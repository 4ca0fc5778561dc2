"""Corpus mode, local engine against Spark: seconds for the same fragments, same clusters.

    python benchmarks/spark.py                              # 10k and 100k fragments, local[2]
    python benchmarks/spark.py --sizes 10000 --master 'local[2]'
    python benchmarks/spark.py --pages 400                  # also cleaning: cleaner dedup on 400 pages

Fragments are benchmarks/corpus.py's (damaged pages from the damage simulator, each block
one record; see its docstring). Each size runs in fresh processes, one engine at a time:

- ``local``: :func:`cleaner.corpus.cluster_records` in one process;
- ``spark``: the records handed to Spark (``parallelize``, 4 slices per core) and
  clustered by :func:`cleaner.spark.cluster_rdd` (signatures and band keys per partition,
  bucket join, verification join, large-star/small-star components, clusters collected).
  Session start is reported apart: it is paid once per run.

Both results are compared cluster for cluster (``as_dict``); a difference fails the run.
With ``--pages N`` it also times the whole command on N generated pages written as JSON
Lines (per-page cleaning included): ``cleaner dedup --jobs 1``, ``--jobs 2`` and
``--engine spark --master local[2]``, checking the three outputs are the same bytes.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def _fragments(n: int):
    spec = importlib.util.spec_from_file_location("corpus_benchmark", HERE / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.fragments(n)


def _digest(clusters) -> str:
    import hashlib

    return hashlib.sha256("".join(json.dumps(c.as_dict(), ensure_ascii=False) + "\n"
                                  for c in clusters).encode("utf-8")).hexdigest()


def measure(engine: str, n: int, master: str) -> dict:
    from cleaner.corpus import Rules, cluster_records

    records, pages = _fragments(n)
    rules = Rules()
    result = {"engine": engine, "fragments": n, "pages": pages}
    if engine == "local":
        started = time.perf_counter()
        clusters = cluster_records(records, rules)
    else:
        from cleaner.spark import cluster_rdd, session

        started = time.perf_counter()
        spark = session(master, app="cleaner benchmark")
        result["session_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        rdd = spark.sparkContext.parallelize(records, 4 * spark.sparkContext.defaultParallelism)
        clusters = cluster_rdd(spark, rdd, rules)
    result.update({"core_s": round(time.perf_counter() - started, 1), "clusters": len(clusters),
                   "duplicates": sum(len(c.members) - 1 for c in clusters), "digest": _digest(clusters)})
    return result


def pages_run(n: int, master: str) -> list[dict]:
    """``cleaner dedup`` on ``n`` generated pages: local -j1, local -j2, spark."""
    import damage

    rng = random.Random(3)
    out = []
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / "pages.jsonl"
        with open(dump, "w", encoding="utf-8") as f:
            made = damage.generate_pages("zh", n // 2, seed=5) + damage.generate_pages("en", n - n // 2, seed=5)
            texts = [p.text for p in made]
            texts += [rng.choice(texts) for _ in range(n // 10)]          # a tenth scraped twice
            for number, text in enumerate(texts):
                f.write(json.dumps({"id": f"p{number}", "text": text}, ensure_ascii=False) + "\n")
        outputs = []
        for label, extra in (("local -j1", ["-j", "1"]), ("local -j2", ["-j", "2"]),
                             (f"spark {master}", ["--engine", "spark", "--master", master])):
            target = Path(folder) / f"out{len(outputs)}.jsonl"
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "cleaner", "dedup", str(dump), "-q", "-o", str(target), *extra],
                           check=True, stderr=subprocess.DEVNULL)
            seconds = time.perf_counter() - started
            outputs.append(target.read_bytes())
            out.append({"run": label, "pages": len(texts), "seconds": round(seconds, 1),
                        "clusters": outputs[-1].count(b"\n")})
        if len(set(outputs)) != 1:
            raise SystemExit("the engines disagree on the pages run")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--pages", type=int, default=0, help="also time cleaner dedup on this many pages")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]), args.master)))
        return 0
    if args.sizes:
        print("| fragments | pages | local s | spark s | spark session s | clusters | same clusters |")
        print("|---:|---:|---:|---:|---:|---:|:---|")
    for n in args.sizes:
        runs = {}
        for engine in ("local", "spark"):
            cmd = [sys.executable, __file__, "--one", engine, str(n), "--master", args.master]
            done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            runs[engine] = json.loads(done.stdout.strip().splitlines()[-1])
        local, spark = runs["local"], runs["spark"]
        same = local["digest"] == spark["digest"]
        print(f"| {n:,} | {local['pages']:,} | {local['core_s']} | {spark['core_s']} | {spark['session_s']} | "
              f"{local['clusters']:,} | {'yes' if same else 'NO'} |", flush=True)
        if not same:
            return 1
    if args.pages:
        print("\n| run | pages | seconds | clusters |\n|:---|---:|---:|---:|")
        for row in pages_run(args.pages, args.master):
            print(f"| {row['run']} | {row['pages']:,} | {row['seconds']} | {row['clusters']:,} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
