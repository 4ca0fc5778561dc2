"""The persistent corpus index of ``cleaner dedup --index``: what earlier runs have seen.

Two stores with one small interface (:class:`Store`):

- :class:`SQLiteStore` (``--index PATH``, the default): one SQLite file in WAL mode. Every
  write is a transaction (``BEGIN IMMEDIATE``; a batch's rows go in by ``executemany``),
  so a killed run leaves the file as it was after its last complete batch; a batch never
  splits a page.
- :class:`RedisStore` (``--index redis://HOST:PORT/DB``): shared by concurrent writers.
  Each batch is one ``MULTI``/``EXEC`` pipeline (all or nothing); a record is created
  with ``SET NX`` and a bucket claimed with ``HSETNX``, so when two writers race on the
  same pages the server's first writer wins every key, and both see the same owner.

What is stored:

- ``meta``: :meth:`cleaner.corpus.Rules.metadata` (datasketch version, hash and seed,
  ``num_perm``, bands and rows, shingle sizes). A store whose metadata differs is
  refused with :class:`~cleaner.errors.IndexMismatchError`, never silently mixed.
- records: every field of :class:`~cleaner.corpus.Record` and its MinHash signature,
  keyed by ``id`` (the first record stored under an id wins) and numbered by ``seen``
  (reserved per run from a counter, so numbers never collide between writers).
- bands: bucket key (:func:`cleaner.corpus.band_keys`) → the first record ever stored
  with it (first-seen wins; later records in the bucket are found through it).
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from .corpus import Record, Rules, band_keys
from .errors import IndexMismatchError, StoreError

#: redis-py is an optional dependency: ``pip install 'cleaner[redis]'``
REDIS_HINT = "install the Redis client with `pip install 'cleaner[redis]'`"


class Store(Protocol):
    """What ``dedup`` needs from an index."""

    def reserve(self, n: int) -> int:
        """Reserve ``n`` consecutive ``seen`` numbers; returns the first."""

    def owners(self, keys: Sequence[bytes]) -> dict[bytes, str]:
        """The stored owner id of each bucket key that has one."""

    def records(self, ids: Iterable[str]) -> dict[str, Record]:
        """The stored records among ``ids``."""

    def add(self, records: Sequence[Record], sigs: np.ndarray) -> list[str]:
        """Store records (one atomic batch) with their signatures and claim their buckets;
        returns the ids this call created (not stored before)."""

    def check(self) -> list[str]:
        """Integrity problems, empty when the index is consistent."""

    def close(self) -> None: ...


def open_index(spec: str, rules: Rules) -> "SQLiteStore | RedisStore":
    """``redis://…`` opens a :class:`RedisStore`, anything else a :class:`SQLiteStore` file."""
    if spec.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(spec, rules)
    return SQLiteStore(Path(spec), rules)


def _mismatch(where: str, stored: dict, wanted: dict) -> IndexMismatchError:
    diffs = [f"{k}={json.dumps(stored.get(k), sort_keys=True)} (this run: {json.dumps(wanted.get(k), sort_keys=True)})"
             for k in sorted(set(stored) | set(wanted)) if stored.get(k) != wanted.get(k)]
    return IndexMismatchError(
        f"index {where} was built with other settings: {'; '.join(diffs)}: rerun with the settings it was built "
        "with, or give a new --index")


def _record_fields(r: Record) -> dict:
    return {"kind": r.kind, "source": r.source, "page": r.page, "article": r.article, "paragraph": r.paragraph,
            "blocks": list(r.blocks), "spans": [list(s) for s in r.spans], "lang": r.lang, "title": r.title}


def _record(rid: str, seen: int, fields: dict, key: str) -> Record:
    return Record(rid, fields["kind"], seen, fields["source"], fields["page"], fields["article"],
                  fields["paragraph"], tuple(fields["blocks"]), tuple(tuple(s) for s in fields["spans"]),
                  fields["lang"], key, fields.get("title", ""))


# ---------------------------------------------------------------- SQLite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    seen INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    fields TEXT NOT NULL,
    key BLOB NOT NULL,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS bands (key BLOB PRIMARY KEY, seen INTEGER NOT NULL) WITHOUT ROWID;
"""


class SQLiteStore:
    """The index in one SQLite file (WAL, a transaction per batch); see the module docstring."""

    def __init__(self, path: Path, rules: Rules) -> None:
        self.path = path
        self.rules = rules
        try:
            self.db = sqlite3.connect(str(path), timeout=60, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
        except sqlite3.Error as err:
            raise StoreError(f"cannot open the index {path}: {err}: check that it is a cleaner index file "
                             "in a folder you can write") from None
        self._meta()

    def _meta(self) -> None:
        wanted = self.rules.metadata()
        with self._transaction():
            row = self.db.execute("SELECT value FROM meta WHERE name = 'rules'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO meta VALUES ('rules', ?)", (json.dumps(wanted, sort_keys=True),))
                self.db.execute("INSERT INTO meta VALUES ('next_seen', '0')")
                return
        stored = json.loads(row[0])
        if stored != wanted:
            raise _mismatch(str(self.path), stored, wanted)

    def _transaction(self):
        db = self.db

        class _Tx:
            def __enter__(self_):
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self_, kind, value, trace):
                db.execute("COMMIT" if kind is None else "ROLLBACK")
                return False

        return _Tx()

    def reserve(self, n: int) -> int:
        with self._transaction():
            first = int(self.db.execute("SELECT value FROM meta WHERE name = 'next_seen'").fetchone()[0])
            self.db.execute("UPDATE meta SET value = ? WHERE name = 'next_seen'", (str(first + n),))
        return first

    def owners(self, keys: Sequence[bytes]) -> dict[bytes, str]:
        found: dict[bytes, int] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start:start + 500]
            found.update(self.db.execute(
                f"SELECT key, seen FROM bands WHERE key IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        ids = self._ids(set(found.values()))
        return {k: ids[s] for k, s in found.items() if s in ids}

    def _ids(self, seens: set[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        values = sorted(seens)
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            out.update(self.db.execute(
                f"SELECT seen, id FROM records WHERE seen IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        return out

    def records(self, ids: Iterable[str]) -> dict[str, Record]:
        out: dict[str, Record] = {}
        values = sorted(set(ids))
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            for rid, seen, fields, key in self.db.execute(
                    f"SELECT id, seen, fields, key FROM records WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                out[rid] = _record(rid, seen, json.loads(fields), zlib.decompress(key).decode("utf-8", "surrogatepass"))
        return out

    def add(self, records: Sequence[Record], sigs: np.ndarray) -> list[str]:
        """One transaction: the records not stored yet (the first of an id wins), then
        their buckets in record order (first seen wins), each table by one ``executemany``."""
        try:
            with self._transaction():
                stored = set(self._stored_ids([r.id for r in records]))
                new: dict[str, int] = {}
                for n, record in enumerate(records):
                    if record.id not in stored and record.id not in new:
                        new[record.id] = n
                self.db.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?)", (
                    (records[n].seen, rid, json.dumps(_record_fields(records[n]), ensure_ascii=False),
                     zlib.compress(records[n].key.encode("utf-8", "surrogatepass")),
                     np.ascontiguousarray(sigs[n], dtype="<u4").tobytes()) for rid, n in new.items()))
                self.db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", (
                    (k, records[n].seen) for n in new.values()
                    for k in band_keys(records[n].kind, sigs[n], self.rules)))
        except sqlite3.Error as err:
            raise StoreError(f"cannot write the index {self.path}: {err}: check the disk and rerun "
                             "(the index keeps every batch written before)") from None
        return list(new)

    def _stored_ids(self, ids: Sequence[str]) -> list[str]:
        out: list[str] = []
        values = sorted(set(ids))
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            out += [rid for (rid,) in self.db.execute(
                f"SELECT id FROM records WHERE id IN ({','.join('?' * len(chunk))})", chunk)]
        return out

    def check(self) -> list[str]:
        problems = []
        result = self.db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            problems.append(f"sqlite integrity_check: {result}")
        orphans = self.db.execute(
            "SELECT COUNT(*) FROM bands WHERE seen NOT IN (SELECT seen FROM records)").fetchone()[0]
        if orphans:
            problems.append(f"{orphans} bucket(s) owned by no record")
        next_seen = int(self.db.execute("SELECT value FROM meta WHERE name = 'next_seen'").fetchone()[0])
        for seen, rid, fields, signature in self.db.execute("SELECT seen, id, fields, signature FROM records"):
            if seen >= next_seen:
                problems.append(f"{rid}: seen {seen} was never reserved")
            sig = np.frombuffer(signature, dtype="<u4")
            for k in band_keys(json.loads(fields)["kind"], sig, self.rules):
                owner = self.db.execute("SELECT seen FROM bands WHERE key = ?", (k,)).fetchone()
                if owner is None or owner[0] > seen:
                    problems.append(f"{rid}: bucket {k.hex()} not claimed by it or an earlier record")
                    break
        return problems

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]

    def close(self) -> None:
        self.db.close()


# ---------------------------------------------------------------- Redis

class RedisStore:
    """The index on a Redis server, shared by concurrent writers; see the module docstring.

    Keys (``cleaner:`` prefix): ``meta`` (JSON, ``SET NX``), ``seen`` (counter, ``INCRBY``),
    ``rec:<id>`` (JSON of the record with its key and signature, ``SET NX``),
    ``bands:<kind initial><band>`` (hash: hex of the band's values → owner id, ``HSETNX``).
    """

    PREFIX = b"cleaner:"

    def __init__(self, url: str, rules: Rules) -> None:
        try:
            import redis
        except ImportError:
            raise StoreError(f"--index {url} needs the redis package: {REDIS_HINT}") from None
        self.url = url
        self.rules = rules
        self._redis = redis
        #: bucket keys this store's writes claimed first (HSETNX said 1): for tests and reports
        self.claimed: list[bytes] = []
        try:
            self.r = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=5)
            self.r.ping()
        except (redis.RedisError, ValueError) as err:
            raise StoreError(f"cannot reach the Redis index at {url}: {err}: start redis-server or fix the URL") from None
        self._meta()

    def _k(self, *parts: str | bytes) -> bytes:
        return self.PREFIX + b"".join(p if isinstance(p, bytes) else p.encode("utf-8", "surrogatepass")
                                      for p in parts)

    def _meta(self) -> None:
        wanted = self.rules.metadata()
        self.r.set(self._k("meta"), json.dumps(wanted, sort_keys=True), nx=True)
        stored = json.loads(self.r.get(self._k("meta")))
        if stored != wanted:
            raise _mismatch(self.url, stored, wanted)

    def _bucket(self, key: bytes) -> tuple[bytes, bytes]:
        """(hash name, field) of a bucket key: one hash per kind and band."""
        return self._k("bands:", key[:3].hex()), key[3:].hex().encode()

    def reserve(self, n: int) -> int:
        return int(self.r.incrby(self._k("seen"), n)) - n

    def owners(self, keys: Sequence[bytes]) -> dict[bytes, str]:
        unique = list(dict.fromkeys(keys))
        out: dict[bytes, str] = {}
        for start in range(0, len(unique), 5000):
            chunk = unique[start:start + 5000]
            pipe = self.r.pipeline(transaction=False)
            for k in chunk:
                pipe.hget(*self._bucket(k))
            for k, owner in zip(chunk, pipe.execute()):
                if owner is not None:
                    out[k] = owner.decode("utf-8", "surrogatepass")
        return out

    def records(self, ids: Iterable[str]) -> dict[str, Record]:
        values = sorted(set(ids))
        out: dict[str, Record] = {}
        for start in range(0, len(values), 5000):
            chunk = values[start:start + 5000]
            for rid, raw in zip(chunk, self.r.mget([self._k("rec:", rid) for rid in chunk])):
                if raw is not None:
                    data = json.loads(raw)
                    out[rid] = _record(rid, data["seen"], data, data["key"])
        return out

    def add(self, records: Sequence[Record], sigs: np.ndarray) -> list[str]:
        if not records:
            return []
        pipe = self.r.pipeline(transaction=True)
        for record, sig in zip(records, sigs):
            data = _record_fields(record)
            data.update(seen=record.seen, key=record.key, signature=np.asarray(sig, dtype="<u4").tobytes().hex())
            pipe.set(self._k("rec:", record.id), json.dumps(data, ensure_ascii=False), nx=True)
            for k in band_keys(record.kind, sig, self.rules):
                pipe.hsetnx(*self._bucket(k), record.id)
        try:
            results = pipe.execute()
        except self._redis.RedisError as err:
            raise StoreError(f"cannot write the Redis index at {self.url}: {err}: rerun "
                             "(every batch written before is kept)") from None
        b = self.rules.bands[0]
        created = []
        for n, record in enumerate(records):
            block = results[n * (b + 1):(n + 1) * (b + 1)]
            if block[0]:
                created.append(record.id)
            keys = band_keys(record.kind, sigs[n], self.rules)
            self.claimed.extend(k for k, won in zip(keys, block[1:]) if won)
        return created

    def check(self) -> list[str]:
        problems = []
        seen_limit = int(self.r.get(self._k("seen")) or 0)
        for name in self.r.scan_iter(match=self._k("bands:*"), count=1000):
            owners = self.r.hgetall(name)
            ids = sorted({v for v in owners.values()})
            for start in range(0, len(ids), 5000):
                chunk = ids[start:start + 5000]
                for rid, raw in zip(chunk, self.r.mget([self._k("rec:", rid) for rid in chunk])):
                    if raw is None:
                        problems.append(f"bucket owner {rid.decode()} has no record")
        for name in self.r.scan_iter(match=self._k("rec:*"), count=1000):
            data = json.loads(self.r.get(name))
            if data["seen"] >= seen_limit:
                problems.append(f"{name.decode()}: seen {data['seen']} was never reserved")
            sig = np.frombuffer(bytes.fromhex(data["signature"]), dtype="<u4")
            keys = band_keys(data["kind"], sig, self.rules)
            pipe = self.r.pipeline(transaction=False)
            for k in keys:
                pipe.hget(*self._bucket(k))
            if any(owner is None for owner in pipe.execute()):
                problems.append(f"{name.decode()}: a bucket is not claimed")
        return problems

    def close(self) -> None:
        self.r.close()
