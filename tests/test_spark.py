"""Corpus mode on Spark (cleaner/spark.py): the same clusters as the local engine, member
for member, with Spark in local mode (``local[2]``).

Skipped without pyspark or Java; ``CLEANER_REQUIRE_SPARK=1`` (set by .ci/run where Java
is installed) turns the skip into a failure. One SparkSession serves the whole module:
Spark takes seconds to start.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import sys

import pytest
from click.testing import CliRunner

import damage
from cleaner.cli import main
from cleaner.corpus import Record, Rules, components, lsh_pairs, signature_matrix
from cleaner.errors import SparkUnavailableError

REQUIRED = os.environ.get("CLEANER_REQUIRE_SPARK") == "1"


def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'cleaner[spark]')"
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        return "no Java runtime"
    return None


@pytest.fixture(scope="module")
def spark():
    missing = _spark_missing()
    if missing:
        if REQUIRED:
            pytest.fail(f"CLEANER_REQUIRE_SPARK=1 but {missing}")
        pytest.skip(missing)
    from cleaner.spark import session

    spark = session("local[2]", app="cleaner tests")
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    """Pages of both languages, a page scraped twice, a cut-down reprint, a JSON Lines
    dump reprinting three of them, a bad JSON line and an empty file."""
    folder = tmp_path_factory.mktemp("spark_corpus")
    pages = damage.generate_pages("zh", 4, seed=11) + damage.generate_pages("en", 3, seed=11)
    for n, page in enumerate(pages):
        (folder / f"p{n}.txt").write_text(page.text, encoding="utf-8")
    (folder / "again.txt").write_text(pages[0].text, encoding="utf-8")
    (folder / "cut.txt").write_text(pages[4].text[: len(pages[4].text) * 2 // 3], encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    with open(folder / "dump.jsonl", "w", encoding="utf-8") as f:
        for n, page in enumerate(pages[:3]):
            f.write(json.dumps({"id": f"d{n}", "text": page.text}, ensure_ascii=False) + "\n")
        f.write("\n{bad json\n")
    return folder, pages


def _dedup(*args: str):
    result = CliRunner().invoke(main, ["dedup", *args])
    return result.exit_code, result.output


def test_same_output_as_the_local_engine(spark, corpus_dir, tmp_path):
    folder, _ = corpus_dir
    for emit in ("clusters", "articles"):
        outputs, messages = [], []
        for engine in ("local", "spark"):
            out = tmp_path / f"{engine}-{emit}.jsonl"
            code, output = _dedup(str(folder), "--glob", "*", "--emit", emit, "-o", str(out),
                                  "--engine", engine, "--master", "local[2]")
            assert code == 1, output                   # the bad JSON line and the empty file
            outputs.append(out.read_text(encoding="utf-8"))
            messages.append([line for line in output.splitlines() if line.startswith("cleaner: error:")])
        assert outputs[0] == outputs[1], emit
        assert messages[0] == messages[1] and len(messages[0]) == 2
        assert outputs[0].count("\n") >= 10


def test_bucket_rule_in_a_crowded_bucket(spark):
    """Equal texts share every bucket: position p meets positions 0 .. min(p, bucket_pairs) - 1 only."""
    from cleaner.spark import candidate_pairs

    rules = Rules(bucket_pairs=2)
    text = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"
    seens = [7, 3, 11, 5, 1, 9]
    records = [Record(f"r{i}.txt#1/0/0", "fragment", seen, f"r{i}.txt", 1, 0, 0, (0,), ((0, 1),), "zh", text)
               for i, seen in enumerate(seens)]
    rdd = spark.sparkContext.parallelize(records, 3)
    got = {tuple(row) for row in candidate_pairs(spark, rdd, rules).collect()}
    local = lsh_pairs(records, signature_matrix(records, rules), rules)
    assert got == {(records[i].seen, records[j].seen) for i, j in local.tolist()}
    ranked = sorted(seens)
    assert got == {(ranked[k], ranked[p]) for p in range(1, len(ranked)) for k in range(min(p, 2))}


def test_components_match_union_find(spark):
    from cleaner.spark import connected_components

    rng = random.Random(5)
    n = 300
    edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(220)]
    edges += [(i, i + 1) for i in range(100, 140)]              # a long path: several rounds
    frame = spark.createDataFrame(edges, "a BIGINT, b BIGINT")
    stars = [tuple(row) for row in connected_components(frame).collect()]
    groups: dict[int, set[int]] = {}
    for node, root in stars:
        assert root < node
        groups.setdefault(root, {root}).add(node)
    touched = {x for e in edges for x in e if e[0] != e[1]}
    want = [g for g in components(n, edges) if set(g) & touched]
    assert sorted(sorted(g) for g in groups.values()) == sorted(want)


def test_parquet_in_and_out(spark, corpus_dir, tmp_path):
    folder, pages = corpus_dir
    rows = [(f"d{n}", page.text) for n, page in enumerate(pages[:3])] + [("d9", pages[0].text)]
    dump = tmp_path / "dump.parquet"
    spark.createDataFrame(rows, "id STRING, text STRING").write.parquet(str(dump))   # two part files
    jsonl = tmp_path / "dump.jsonl"
    jsonl.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in rows),
                     encoding="utf-8")
    local, written = tmp_path / "local.jsonl", tmp_path / "clusters.parquet"
    assert _dedup(str(jsonl), "-o", str(local), "-q")[0] == 0
    code, output = _dedup(str(dump), "--engine", "spark", "-o", str(written), "-q")
    assert code == 0, output
    want = [json.loads(line) for line in local.read_text(encoding="utf-8").splitlines()]
    got = sorted((r.asDict(recursive=True) for r in spark.read.parquet(str(written)).collect()),
                 key=lambda c: [m["id"] for m in c["members"]])

    def members(clusters, name):
        return sorted([(m["id"].replace(name, "DUMP"), m["jaccard"], m["containment"], m["kept"])
                       for m in c["members"]] for c in clusters)

    assert members(got, str(dump)) == members(want, str(jsonl)) != []
    assert {"cluster", "kind", "size", "representative", "reason", "detail"} <= set(got[0])


def test_index_is_for_the_local_engine(tmp_path):
    (tmp_path / "p.txt").write_text("text", encoding="utf-8")
    code, output = _dedup(str(tmp_path), "--engine", "spark", "--index", str(tmp_path / "i.sqlite"))
    assert code == 2 and "--index works with the local engine only" in output


def test_without_pyspark_a_typed_error_names_the_extra(monkeypatch):
    from cleaner import spark as engine

    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(SparkUnavailableError, match=r"pip install 'cleaner\[spark\]' and a Java 17 runtime"):
        engine.session("local[1]")


def test_without_java_a_typed_error(monkeypatch):
    if _spark_missing() == "pyspark is not installed (pip install 'cleaner[spark]')":
        pytest.skip("pyspark is not installed")
    from pyspark.sql import SparkSession

    from cleaner import spark as engine

    if SparkSession.getActiveSession() is not None:
        monkeypatch.setattr(SparkSession, "getActiveSession", staticmethod(lambda: None))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SparkUnavailableError, match="Java 17 runtime"):
        engine.session("local[1]")
