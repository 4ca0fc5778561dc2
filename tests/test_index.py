"""The persistent SQLite index of ``cleaner dedup --index PATH``: runs dedup against what
earlier runs stored, mismatched settings are refused, a killed writer leaves it consistent."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import damage
from processes import kill_after_batches
from cleaner.cli import main
from cleaner.corpus import Record, Rules, dedup, signature_matrix
from cleaner.errors import IndexMismatchError, StoreError
from cleaner.index import SQLiteStore, open_index

RULES = Rules()


@pytest.fixture(scope="module")
def pages():
    return damage.generate_pages("zh", 3, seed=21) + damage.generate_pages("en", 2, seed=21)


def write(folder: Path, pages, names=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n, p in enumerate(pages):
        (folder / (names[n] if names else f"p{n}.txt")).write_text(p.text, encoding="utf-8")
    return folder


def clusters(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_today_dedups_against_what_was_stored(tmp_path, pages):
    index = tmp_path / "corpus.sqlite"
    runner = CliRunner()
    first = runner.invoke(main, ["dedup", str(write(tmp_path / "monday", pages[:3])), "--index", str(index),
                                 "-o", str(tmp_path / "monday.jsonl")])
    assert first.exit_code == 0, first.output
    today = write(tmp_path / "tuesday", [pages[0], pages[4]], ["reprint.txt", "new.txt"])
    second = runner.invoke(main, ["dedup", str(today), "--index", str(index), "-o", str(tmp_path / "tuesday.jsonl")])
    assert second.exit_code == 0, second.output
    found = clusters(tmp_path / "tuesday.jsonl")
    articles = [c for c in found if c["kind"] == "article"]
    assert articles
    for c in articles:
        sources = {Path(m["source"]).parent.name for m in c["members"]}
        assert sources == {"monday", "tuesday"}
        stored = [m for m in c["members"] if m.get("stored")]
        assert stored and all(Path(m["source"]).parent.name == "monday" for m in stored)
        kept = next(m for m in c["members"] if m["kept"])
        assert kept.get("stored")          # equal readings: the first seen, stored on monday
    store = SQLiteStore(index, RULES)
    try:
        assert store.check() == []
    finally:
        store.close()


def test_a_rerun_stores_nothing_new_and_gives_the_same_clusters(tmp_path, pages):
    index = tmp_path / "corpus.sqlite"
    folder = write(tmp_path / "in", [pages[0], pages[1], pages[0]])
    runner = CliRunner()
    outs = []
    for n in range(2):
        out = tmp_path / f"run{n}.jsonl"
        result = runner.invoke(main, ["dedup", str(folder), "--index", str(index), "-o", str(out)])
        assert result.exit_code == 0, result.output
        outs.append([(c["cluster"], [(m["id"], m["kept"], m["jaccard"]) for m in c["members"]])
                     for c in clusters(out)])
    assert outs[0] == outs[1]
    assert "0 stored" in result.output


def test_mismatched_settings_are_refused(tmp_path, pages):
    index = tmp_path / "corpus.sqlite"
    folder = write(tmp_path / "in", pages[:1])
    runner = CliRunner()
    assert runner.invoke(main, ["dedup", str(folder), "--index", str(index), "-q"]).exit_code == 0
    result = runner.invoke(main, ["dedup", str(folder), "--index", str(index), "--num-perm", "64"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("cleaner: error: index ")
    assert "num_perm=128 (this run: 64)" in lines[0] and "Traceback" not in result.output
    with pytest.raises(IndexMismatchError):
        SQLiteStore(index, Rules(shingle_cjk=4))
    with pytest.raises(IndexMismatchError, match="shingle_words"):
        open_index(str(index), Rules(shingle_words=2))


def test_metadata_records_the_scheme(tmp_path):
    import sqlite3

    from cleaner import fingerprint

    SQLiteStore(tmp_path / "x.sqlite", RULES).close()
    stored = json.loads(sqlite3.connect(tmp_path / "x.sqlite").execute(
        "SELECT value FROM meta WHERE name = 'rules'").fetchone()[0])
    assert stored["scheme"] == fingerprint.scheme(fingerprint.HASH)      # the fast path's hash
    assert (stored["bands"], stored["rows"]) == RULES.bands
    assert {"num_perm", "shingle_cjk", "shingle_words", "lsh_threshold"} <= set(stored)


def test_an_index_of_sha1_signatures_is_refused(tmp_path, pages):
    """An index stored before signatures moved to the fast hash (datasketch's SHA-1
    signatures) is refused in one line, not mixed: its band keys would never match."""
    import sqlite3

    from cleaner import fingerprint

    index = tmp_path / "old.sqlite"
    SQLiteStore(index, RULES).close()
    old = RULES.metadata() | {"scheme": fingerprint.scheme()}
    with sqlite3.connect(index) as db:
        db.execute("UPDATE meta SET value = ? WHERE name = 'rules'", (json.dumps(old, sort_keys=True),))
    with pytest.raises(IndexMismatchError, match="sha1_hash32"):
        SQLiteStore(index, RULES)
    result = CliRunner().invoke(main, ["dedup", str(write(tmp_path / "in", pages[:1])), "--index", str(index)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("cleaner: error: index ")
    assert '"hash": "sha1_hash32"' in lines[0] and '"hash": "poly64-fnv-fmix64-hi32"' in lines[0]


def test_not_an_index_is_one_error(tmp_path, pages):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError):
        SQLiteStore(bad, RULES)
    result = CliRunner().invoke(main, ["dedup", str(write(tmp_path / "in", pages[:1])), "--index", str(bad)])
    assert result.exit_code == 1 and result.output.startswith("cleaner: error: cannot open the index")


def test_first_seen_wins_in_the_band_table(tmp_path):
    text = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥" * 2
    records = [Record(f"s{i}.txt#1/0/0", "fragment", i, f"s{i}.txt", 1, 0, 0, (0,), ((0, 1),), "zh", text)
               for i in range(3)]
    store = SQLiteStore(tmp_path / "x.sqlite", RULES)
    try:
        run = dedup(records, RULES, store)
        assert run.created == [r.id for r in records]
        owners = store.owners([k for (k,) in store.db.execute("SELECT key FROM bands")])
        assert set(owners.values()) == {"s0.txt#1/0/0"}
        assert store.check() == []
    finally:
        store.close()


WRITER = r"""
import sys, numpy as np
from cleaner.corpus import Record, Rules, signature_matrix
from cleaner.index import SQLiteStore
rules = Rules()
store = SQLiteStore(__import__("pathlib").Path(sys.argv[1]), rules)
batch = int(sys.argv[2])
n = 0
while True:
    base = store.reserve(batch)
    recs = [Record(f"w{n + i}.txt#1/0/0", "fragment", base + i, f"w{n + i}.txt", 1, 0, 0, (0,), ((0, 5),), "en",
                   " ".join(f"word{(n + i) * 7 + j}" for j in range(30))) for i in range(batch)]
    store.add(recs, signature_matrix(recs, rules))
    n += batch
    print(n, flush=True)
"""


def test_a_killed_writer_leaves_the_index_consistent(tmp_path):
    index = tmp_path / "killed.sqlite"
    batch = 50
    kill_after_batches(WRITER, str(index), str(batch), batches=4)      # mid-batch
    store = SQLiteStore(index, RULES)
    try:
        assert store.check() == []
        count = store.count()
        assert count >= 4 * batch and count % batch == 0      # whole batches only
        # and it goes on being usable
        recs = [Record("late.txt#1/0/0", "fragment", store.reserve(1), "late.txt", 1, 0, 0, (0,), ((0, 5),), "en",
                       " ".join(f"late{j}" for j in range(30)))]
        assert store.add(recs, signature_matrix(recs, RULES)) == ["late.txt#1/0/0"]
        assert store.check() == []
    finally:
        store.close()


def _one_record(store: SQLiteStore) -> tuple[list[Record], np.ndarray]:
    """One English fragment of 40 distinct words, its signatures, stored."""
    text = " ".join(f"token{j}" for j in range(40))
    recs = [Record("a.txt#1/0/0", "fragment", store.reserve(1), "a.txt", 1, 0, 0, (0,), ((0, 1),), "en", text)]
    sigs = signature_matrix(recs, RULES)
    store.add(recs, sigs)
    return recs, sigs


def test_check_finds_damage(tmp_path):
    store = SQLiteStore(tmp_path / "x.sqlite", RULES)
    try:
        _one_record(store)
        assert store.check() == []
        store.db.execute("DELETE FROM bands WHERE key = (SELECT MIN(key) FROM bands)")
        assert store.check()
    finally:
        store.close()


def test_signatures_are_stored(tmp_path):
    store = SQLiteStore(tmp_path / "x.sqlite", RULES)
    try:
        recs, sigs = _one_record(store)
        raw = store.db.execute("SELECT signature FROM records").fetchone()[0]
        assert (np.frombuffer(raw, dtype="<u4") == sigs[0]).all()
        assert store.records(["a.txt#1/0/0"])["a.txt#1/0/0"] == recs[0]
    finally:
        store.close()
