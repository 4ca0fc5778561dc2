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
from processes import kill_after_batches
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
folder, url, direction = sys.argv[1], sys.argv[2], int(sys.argv[3])
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
print("ready", flush=True)
sys.stdin.readline()                                   # both are ready: go
for i in order:                                        # one MULTI/EXEC per record: a fine-grained race
    created += store.add([records[i]], sigs[i:i + 1])
print(json.dumps({"created": created, "claimed": [k.hex() for k in store.claimed]}))
"""


def test_two_writers_racing_agree_on_first_writer_wins(tmp_path, pages, redis_url):
    """Two processes store the same pages (under different names) at the same moment:
    every bucket has exactly one winner, the one the server says owns it."""
    folders = [write(tmp_path / name, pages) for name in ("left", "right")]
    procs = [subprocess.Popen([sys.executable, "-c", RACER, str(f), redis_url, direction], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) for f, direction in zip(folders, ("1", "-1"))]
    for proc in procs:                                   # both have read and hashed their pages
        assert proc.stdout.readline() == "ready\n"
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
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


WRITER = r"""
import sys
from cleaner.corpus import Record, Rules, signature_matrix
from cleaner.index import RedisStore
url, batch = sys.argv[1], int(sys.argv[2])
rules = Rules()
store = RedisStore(url, rules)
n = 0
while True:
    recs = [Record(f"w{n + i}.txt#1/0/0", "fragment", store.reserve(1), f"w{n + i}.txt", 1, 0, 0, (0,), ((0, 5),),
                   "en", " ".join(f"w{n + i} token{j}" for j in range(30))) for i in range(batch)]
    store.add(recs, signature_matrix(recs, rules))
    n += batch
    print(n, flush=True)
"""


def test_a_killed_writer_leaves_the_redis_index_consistent(redis_url):
    """SIGKILL in the middle of a run: each batch was one MULTI/EXEC, so the index holds
    whole batches only, and every stored record's buckets are claimed."""
    batch = 50
    kill_after_batches(WRITER, redis_url, str(batch), batches=4)      # mid-batch
    store = RedisStore(redis_url, RULES)
    try:
        assert store.check() == []
        count = sum(1 for _ in store.r.scan_iter(match=b"cleaner:rec:*", count=1000))
        assert count >= 4 * batch and count % batch == 0      # whole batches only
        claimed = {v for name in store.r.scan_iter(match=b"cleaner:bands:*") for v in store.r.hvals(name)}
        assert len(claimed) == count                           # distinct texts: each owns its buckets
    finally:
        store.close()


def _race(folders: list[Path], url: str, tmp_path: Path) -> list[tuple[list[dict], int]]:
    """Run ``cleaner dedup FOLDER --index URL`` for each folder at the same moment;
    return each run's clusters and the number it reports stored."""
    import re

    procs = [subprocess.Popen([sys.executable, "-m", "cleaner", "dedup", str(folder), "--index", url,
                               "-o", str(tmp_path / f"race{n}.jsonl")], stderr=subprocess.PIPE, text=True)
             for n, folder in enumerate(folders)]
    out = []
    for n, proc in enumerate(procs):
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        stored = int(re.search(r"(\d+) stored", stderr).group(1))
        lines = (tmp_path / f"race{n}.jsonl").read_text(encoding="utf-8").splitlines()
        out.append(([json.loads(line) for line in lines], stored))
    return out


def test_two_dedup_processes_racing_agree_on_the_first_writer(tmp_path, pages, redis_url):
    """Two real `cleaner dedup --index redis://…` runs on the same pages under two names,
    started together. Each run stores its records in one MULTI/EXEC batch (under 5,000
    records), so the run whose batch the server executed first owns every bucket; it
    found the index empty (nothing it reports is stored), and whatever the other run
    found stored came from it."""
    folders = [write(tmp_path / name, pages) for name in ("left", "right")]
    (left, left_stored), (right, right_stored) = _race(folders, redis_url, tmp_path)
    store = RedisStore(redis_url, RULES)
    try:
        assert store.check() == []
        records = sum(1 for _ in store.r.scan_iter(match=b"cleaner:rec:*", count=1000))
        assert left_stored == right_stored == records // 2 > 0         # every record stored once
        owners = {v.decode() for name in store.r.scan_iter(match=b"cleaner:bands:*") for v in store.r.hvals(name)}
        winners = {Path(o.split("#")[0]).parent.name for o in owners}
        assert len(winners) == 1                                        # one writer owns every bucket
        first, second = (left, right) if winners == {"left"} else (right, left)
    finally:
        store.close()
    assert not any(m.get("stored") for c in first for m in c["members"])
    found = {Path(m["source"]).parent.name for c in second for m in c["members"] if m.get("stored")}
    assert found <= winners


def test_two_dedup_processes_on_the_same_files_store_each_record_once(tmp_path, pages, redis_url):
    """The same files raced by two runs: a record id is created by the first writer only,
    so the two runs' stored counts add up to the records in the index."""
    folder = write(tmp_path / "same", pages)
    (first, first_stored), (second, second_stored) = _race([folder, folder], redis_url, tmp_path)
    store = RedisStore(redis_url, RULES)
    try:
        assert store.check() == []
        records = sum(1 for _ in store.r.scan_iter(match=b"cleaner:rec:*", count=1000))
        assert first_stored + second_stored == records > 0
        assert first_stored * second_stored == 0          # one batch each: the whole batch won or lost
    finally:
        store.close()
    # the same pages give the same clusters, whoever stored them
    assert [[m["id"] for m in c["members"]] for c in first] == [[m["id"] for m in c["members"]] for c in second]
