"""The Redis index of ``cleaner dedup --index redis://…`` against a real redis-server.

``CLEANER_TEST_REDIS`` names the server (``redis://127.0.0.1:PORT/0``; ``.ci/run`` starts
Debian's redis-server and sets it). Without it these tests are skipped; with it, a
server that cannot be reached fails them. The tests empty that database.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import damage
from cleaner.cli import main
from cleaner.corpus import Rules
from cleaner.errors import IndexMismatchError
from cleaner.index import RedisStore, open_index

URL = os.environ.get("CLEANER_TEST_REDIS")
RULES = Rules()

pytestmark = pytest.mark.skipif(
    not URL, reason="CLEANER_TEST_REDIS is not set: start redis-server and set it to redis://127.0.0.1:PORT/0 "
                    "(.ci/run does both)")


@pytest.fixture
def redis_url():
    import redis                          # CLEANER_TEST_REDIS set without the client: fail, not skip

    client = redis.Redis.from_url(URL, socket_connect_timeout=5)
    client.ping()                         # unreachable with CLEANER_TEST_REDIS set: fail, not skip
    client.flushdb()
    yield URL
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def pages():
    return damage.generate_pages("zh", 3, seed=31) + damage.generate_pages("en", 2, seed=31)


def write(folder: Path, pages) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n, p in enumerate(pages):
        (folder / f"p{n}.txt").write_text(p.text, encoding="utf-8")
    return folder


def test_runs_share_the_index(tmp_path, pages, redis_url):
    runner = CliRunner()
    first = runner.invoke(main, ["dedup", str(write(tmp_path / "a", pages[:3])), "--index", redis_url, "-q"])
    assert first.exit_code == 0, first.output
    out = tmp_path / "b.jsonl"
    second = runner.invoke(main, ["dedup", str(write(tmp_path / "b", pages[:1])), "--index", redis_url, "-o", str(out)])
    assert second.exit_code == 0, second.output
    found = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    articles = [c for c in found if c["kind"] == "article"]
    assert articles
    for c in articles:
        assert {Path(m["source"]).parent.name for m in c["members"]} == {"a", "b"}
        kept = next(m for m in c["members"] if m["kept"])
        assert kept.get("stored")
    store = RedisStore(redis_url, RULES)
    try:
        assert store.check() == []
    finally:
        store.close()


def test_mismatched_settings_are_refused(tmp_path, pages, redis_url):
    runner = CliRunner()
    assert runner.invoke(main, ["dedup", str(write(tmp_path / "a", pages[:1])), "--index", redis_url, "-q"]).exit_code == 0
    result = runner.invoke(main, ["dedup", str(tmp_path / "a"), "--index", redis_url, "--shingle", "4"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "shingle_cjk=5 (this run: 4)" in result.output
    with pytest.raises(IndexMismatchError):
        open_index(redis_url, Rules(num_perm=64))


def test_unreachable_server_is_one_error(tmp_path, pages):
    result = CliRunner().invoke(main, ["dedup", str(write(tmp_path / "a", pages[:1])),
                                       "--index", "redis://127.0.0.1:1/0"])
    assert result.exit_code == 1
    assert result.output.startswith("cleaner: error: cannot reach the Redis index") and "Traceback" not in result.output


RACER = r"""
import json, sys, time
from cleaner.batch import Settings, iter_units, plan_sources
from cleaner.corpus import Rules, eligible, read_records, renumber, signature_matrix
from cleaner.index import RedisStore
folder, url, start, direction = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
settings, rules = Settings(), Rules()
records = []
for recs, _, error in read_records(iter_units(plan_sources([folder]), settings), settings):
    records += renumber(recs, len(records))
store = RedisStore(url, rules)
base = store.reserve(len(records))
records = eligible(renumber(records, base), rules)
sigs = signature_matrix(records, rules)
order = list(range(len(records)))[::direction]        # the writers meet in the middle
created = []
while time.time() < start:
    time.sleep(0.0005)
for i in order:                                        # one MULTI/EXEC per record: a fine-grained race
    created += store.add([records[i]], sigs[i:i + 1])
print(json.dumps({"created": created, "claimed": [k.hex() for k in store.claimed]}))
"""


def test_two_writers_racing_agree_on_first_writer_wins(tmp_path, pages, redis_url):
    """Two processes store the same pages (under different names) at the same moment:
    every bucket has exactly one winner, the one the server says owns it."""
    import time

    folders = [write(tmp_path / name, pages) for name in ("left", "right")]
    start = time.time() + 3
    procs = [subprocess.Popen([sys.executable, "-c", RACER, str(f), redis_url, str(start), direction],
                              stdout=subprocess.PIPE, text=True) for f, direction in zip(folders, ("1", "-1"))]
    outs = []
    for proc in procs:
        stdout, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0
        outs.append(json.loads(stdout))
    left, right = ({bytes.fromhex(k) for k in o["claimed"]} for o in outs)
    assert left and right                                # both won some buckets
    assert not left & right                              # no bucket claimed twice
    store = RedisStore(redis_url, RULES)
    try:
        owners = store.owners(sorted(left | right))
        assert len(owners) == len(left | right)
        for claimed, name in ((left, "left"), (right, "right")):
            assert all(Path(owners[k].split("#")[0]).parent.name == name for k in claimed)
        # every bucket the records map to is owned by one of the two writers
        all_keys = [k for name in store.r.scan_iter(match=b"cleaner:bands:*") for k in store.r.hkeys(name)]
        assert len(all_keys) == len(left | right)
        assert store.check() == []
        # the records themselves were created once each
        created = outs[0]["created"] + outs[1]["created"]
        assert len(created) == len(set(created))
    finally:
        store.close()
