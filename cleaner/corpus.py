"""Corpus mode: articles and fragments that recur across pages, as clusters.

Per-page cleaning cannot see that a wire story ran in ten editions or that a page was
scraped twice. This module can: it turns cleaned pages into plain :class:`Record` values
and clusters them with pure functions, so the same rules can run anywhere (one process
here, Apache Spark in issue 9) and give the same clusters member for member.

Record schema (:class:`Record`, frozen)
---------------------------------------

``id``        ``"<source>#<page>/<article>"`` for an article, ``"<source>#<page>/<article>/<paragraph>"``
              for a fragment (a paragraph of an article); ``source`` is the input's name
              (``dir/page.txt``, ``dump.jsonl:<id>``), ``page`` counts form-feed pages from 1,
              ``article`` and ``paragraph`` count from 0 as in ``cleaner clean``'s output.
``kind``      ``"article"`` or ``"fragment"``; the two kinds are clustered apart.
``seen``      first-seen order, an integer unique per record: input order within a run
              (pages in the order ``cleaner clean`` reads them; on a page, each article
              then its paragraphs); records stored by earlier runs have smaller numbers.
``blocks``    the page's block indices the record was built from (title blocks first for
              an article); ``spans`` their ``(start, end)`` offsets into the page text.
``lang``      ``"zh"`` or ``"en"``: which shingles the key is cut into.
``key``       the matching key (``normalise.key``) of the text: an article's title and
              paragraphs joined by newlines, a fragment's paragraph text.
``title``     the article's title (empty for a fragment).

Cluster rules (:func:`cluster_records`, with :class:`Rules`)
-------------------------------------------------------------

1. **Shingles.** ``normalise.shingles(key)`` with the language's shingle size (5
   characters, 3 words), each held as a 64-bit hash (:func:`shingle_set`: high 32 bits
   ``minhash.base_hash`` of the shingle, the MinHash base hash :data:`fingerprint.HASH`;
   low 32 bits ``base_hash`` of the shingle reversed), a record's shingles as the sorted
   array of their distinct hashes. Every count below is a count of distinct hashes: the
   exact count of distinct shingles unless two different shingles share all 64 bits
   (odds about ``|A|·|B| / 2^64`` for two records compared: 2·10^-13 for two
   2,000-shingle articles). A record with fewer than ``min_shingles`` (8)
   shingles takes no part: a heading such as "Background" recurs everywhere without
   being a reprint.
2. **Candidates** (:func:`lsh_pairs`). MinHash signatures (:func:`signature_matrix`:
   ``fingerprint.signature_matrix``, base hash :data:`fingerprint.HASH`, seed
   ``fingerprint.SEED``, datasketch's ``affine32`` permutations, ``num_perm`` 128) are cut
   into ``b`` bands of ``r`` rows (``fingerprint.bands`` for ``lsh_threshold`` 0.3:
   37 × 3). A bucket is one kind, one band and its ``r`` hash values (uint32)
   (:func:`band_keys` packs them as bytes for a store). Within one bucket the records
   sorted by ``(seen, id)`` are paired position ``p`` with positions
   ``0 … min(p, bucket_pairs) - 1`` (``bucket_pairs`` 8): never all pairs of a crowded
   bucket. With a persistent index, each bucket already stored adds one more pair:
   the stored owner of that bucket (the first record ever seen with it) with each new
   record in it.
3. **Verification** (:func:`verify`; :meth:`ShingleTable.common` for many pairs at
   once): for a candidate pair of shingle hash sets ``A``, ``B``,
   ``jaccard = |A∩B| / |A∪B|`` and ``containment = |A∩B| / min(|A|, |B|)`` (float64
   division of the counts). The pair is an edge when ``jaccard >= jaccard_min`` (0.5) or
   ``containment >= containment_min`` (0.8: a cut-down reprint inside a fuller one).
4. **Clusters** are the connected components (union-find) of the edges with two or more
   members.
5. **Representative** (the member kept): the most complete reading, i.e. the most
   shingles (distinct hashes, rule 1); among equally complete readings the first seen (lowest ``seen``), then the
   lowest ``id``. ``reason`` is ``"most_complete"`` when it has strictly more shingles
   than every other member, else ``"first_seen"``.
6. **Member figures**: each member's ``jaccard`` with the representative and its
   ``containment`` in it (``|M∩R| / |M|``) over the hash sets of rule 1, rounded to 4
   decimals.
7. **Order and ids**: members by ``(seen, id)``; clusters articles first, then by their
   representative's ``(seen, id)``. A cluster's id is ``"a-"`` (article) or ``"f-"``
   (fragment) plus the first 12 hex digits of SHA-1 of its representative's id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import fingerprint, minhash
from .config import DEFAULT, Config
from .languages import LANGUAGES
from .normalise import key as matching_key
from .types import PageResult

KINDS = ("article", "fragment")


@dataclass(frozen=True)
class Record:
    """One article or fragment of a cleaned page: what the clustering sees (see the module docstring)."""

    id: str
    kind: str
    seen: int
    source: str
    page: int
    article: int
    paragraph: int | None
    blocks: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]
    lang: str
    key: str
    title: str = ""


@dataclass(frozen=True)
class Rules:
    """The settings a clustering (and a stored index) depends on, each with its reason.

    - ``num_perm``, ``lsh_threshold``, ``shingle_cjk``, ``shingle_words`` come from the
      page :class:`Config` (the same ``--num-perm``, ``--threshold``, ``--shingle``): a
      low LSH threshold finds cut-down reprints, whose Jaccard with the full text is
      about their share of it, and exact verification removes false candidates.
    - ``jaccard_min`` = 0.5: two readings sharing half their shingles are one text
      reprinted with damage; different reports of one genre stay below 0.2.
    - ``containment_min`` = ``Config.containment`` (0.8): a cut-down reprint.
    - ``min_shingles`` = 8: shorter records (headings, bylines) recur without being reprints.
    - ``bucket_pairs`` = 8: in an LSH bucket, a record is paired with the first 8 records
      of the bucket only, so a crowded bucket (boilerplate) costs linear, not quadratic, time.
    """

    num_perm: int = DEFAULT.num_perm
    lsh_threshold: float = DEFAULT.lsh_threshold
    shingle_cjk: int = DEFAULT.shingle_cjk
    shingle_words: int = DEFAULT.shingle_words
    jaccard_min: float = 0.5
    containment_min: float = DEFAULT.containment
    min_shingles: int = 8
    bucket_pairs: int = 8

    @classmethod
    def from_config(cls, config: Config, **changes) -> "Rules":
        return cls(num_perm=config.num_perm, lsh_threshold=config.lsh_threshold, shingle_cjk=config.shingle_cjk,
                   shingle_words=config.shingle_words, containment_min=config.containment, **changes)

    @property
    def bands(self) -> tuple[int, int]:
        """(b, r) for ``lsh_threshold`` and ``num_perm``."""
        return fingerprint.bands(self.lsh_threshold, self.num_perm)

    def metadata(self) -> dict:
        """Everything a stored signature or band key depends on: an index built with
        different metadata cannot be mixed with this one."""
        b, r = self.bands
        return {"format": 1, "scheme": fingerprint.scheme(fingerprint.HASH), "num_perm": self.num_perm,
                "lsh_threshold": self.lsh_threshold, "bands": b, "rows": r,
                "shingle_cjk": self.shingle_cjk, "shingle_words": self.shingle_words,
                "min_shingles": self.min_shingles}


@dataclass(frozen=True)
class Member:
    """A record in a cluster, with its similarity to the representative."""

    record: Record
    jaccard: float
    containment: float
    kept: bool
    stored: bool = False


@dataclass(frozen=True)
class Cluster:
    """Records that are one text, and the one kept (``members[i].kept``) with ``reason``."""

    id: str
    kind: str
    representative: Record
    reason: str
    detail: str
    members: tuple[Member, ...]

    def as_dict(self) -> dict:
        """The ``clusters.jsonl`` form of the cluster."""
        return {"cluster": self.id, "kind": self.kind, "size": len(self.members),
                "representative": self.representative.id, "reason": self.reason, "detail": self.detail,
                "members": [member_dict(m) for m in self.members]}


def member_dict(m: Member) -> dict:
    r = m.record
    out = {"id": r.id, "source": r.source, "page": r.page, "article": r.article}
    if r.paragraph is not None:
        out["paragraph"] = r.paragraph
    out.update({"blocks": list(r.blocks), "spans": [list(s) for s in r.spans], "jaccard": m.jaccard,
                "containment": m.containment, "kept": m.kept})
    if m.stored:
        out["stored"] = True
    return out


# ---------------------------------------------------------------- pages → records

def page_records(result: PageResult, source: str, page: int, seen: int = 0) -> list[Record]:
    """The records of one cleaned page: each article, then its paragraphs, numbered from
    ``seen`` on in that order."""
    lang = LANGUAGES.get(result.lang) or LANGUAGES["en"]
    out: list[Record] = []
    spans = {b.index: (b.start, b.end) for b in result.blocks}
    for a_no, article in enumerate(result.articles):
        base = f"{source}#{page}/{a_no}"
        text = "\n".join([article.title, *(p.text for p in article.paragraphs)])
        blocks = article.blocks
        out.append(Record(base, "article", seen + len(out), source, page, a_no, None, blocks,
                          tuple(spans[b] for b in blocks if b in spans), lang.code, matching_key(text, lang),
                          article.title))
        for p_no, paragraph in enumerate(article.paragraphs):
            out.append(Record(f"{base}/{p_no}", "fragment", seen + len(out), source, page, a_no, p_no,
                              paragraph.blocks, tuple(spans[b] for b in paragraph.blocks if b in spans),
                              lang.code, matching_key(paragraph.text, lang)))
    return out


def _shingle_unit(lang: str, rules: Rules) -> tuple[int, bool]:
    """``(size, words)`` of the language's shingles: word n-grams for spaced text."""
    spaced = (LANGUAGES.get(lang) or LANGUAGES["en"]).spaced
    return (rules.shingle_words, True) if spaced else (rules.shingle_cjk, False)


def _by_unit(records: Sequence[Record], rules: Rules) -> dict[tuple[int, bool], np.ndarray]:
    """Indices of the records per shingle unit, in record order."""
    units = [_shingle_unit(r.lang, rules) for r in records]
    return {unit: np.array([i for i, u in enumerate(units) if u == unit], dtype=np.int64) for unit in set(units)}


#: Records hashed at once by :class:`ShingleTable` (bounds its working arrays).
TABLE_CHUNK = 1 << 15


class ShingleTable:
    """The shingles of many records as sorted arrays of distinct 64-bit hashes (rule 1
    of the module docstring), in one flat array: record ``i``'s are
    ``flat[offsets[i]:offsets[i + 1]]``. ``len(table[i])`` is its number of shingles.

    Shingles are hashed with numpy from the keys' code points (``minhash.shingle_hashes``,
    of each key and of the key reversed, whose shingles are the shingles reversed), never
    made as Python strings.
    """

    def __init__(self, records: Sequence[Record], rules: Rules) -> None:
        sizes = np.zeros(len(records), dtype=np.int64)
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []       # (record indices, counts, hashes)
        for unit, where in _by_unit(records, rules).items():
            for lo in range(0, len(where), TABLE_CHUNK):
                chunk = where[lo:lo + TABLE_CHUNK]
                counts, hashes = _distinct_hashes([records[i].key for i in chunk], *unit)
                sizes[chunk] = counts
                parts.append((chunk, counts, hashes))
        self.offsets = np.zeros(len(records) + 1, dtype=np.int64)
        np.cumsum(sizes, out=self.offsets[1:])
        self.flat = np.empty(int(self.offsets[-1]), dtype=np.uint64)
        for chunk, counts, hashes in parts:
            self.flat[_gather(self.offsets[chunk], counts)] = hashes

    @property
    def sizes(self) -> np.ndarray:
        """The number of shingles of each record."""
        return np.diff(self.offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> np.ndarray:
        return self.flat[self.offsets[i]:self.offsets[i + 1]]

    def common(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """``|A∩B|`` for each pair of records ``(left[k], right[k])``, vectorised: each
        right-hand array, tagged with its pair number in the high 32 bits over its hashes'
        high 32 bits, is one sorted array that the left-hand hashes are searched in."""
        out = np.zeros(len(left), dtype=np.int64)
        step = 1 << 16
        for lo in range(0, len(left), step):
            out[lo:lo + step] = self._common(np.asarray(left[lo:lo + step]), np.asarray(right[lo:lo + step]))
        return out

    def _common(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        sizes = self.sizes
        la, lb = sizes[left], sizes[right]
        a = self.flat[_gather(self.offsets[left], la)]
        b = self.flat[_gather(self.offsets[right], lb)]
        pair_a = np.repeat(np.arange(len(left), dtype=np.uint64), la)
        pair_b = np.repeat(np.arange(len(left), dtype=np.uint64), lb)
        high = np.uint64(32)
        tag_a = (pair_a << high) | (a >> high)
        tag_b = (pair_b << high) | (b >> high)           # sorted: pairs in order, hashes sorted in each
        first = np.searchsorted(tag_b, tag_a, side="left")
        found = first < len(tag_b)
        found[found] = tag_b[first[found]] == tag_a[found]
        hit = found.copy()
        hit[found] = b[first[found]] == a[found]
        # two hashes of one record sharing their high 32 bits (rare): look through the run
        last = np.searchsorted(tag_b, tag_a[found], side="right")
        for k in np.flatnonzero(found)[(last - first[found]) > 1]:
            hit[k] = bool((b[first[k]:np.searchsorted(tag_b, tag_a[k], side="right")] == a[k]).any())
        return np.bincount(pair_a[hit].astype(np.int64), minlength=len(left))


def _gather(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Indices ``starts[k] … starts[k] + counts[k] - 1`` for every ``k``, concatenated."""
    total = int(counts.sum())
    first = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    return np.repeat(starts - first, counts) + np.arange(total, dtype=np.int64)


def _distinct_hashes(keys: list[str], size: int, words: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(counts, hashes)``: each key's distinct 64-bit shingle hashes (rule 1), sorted,
    key after key."""
    high, counts = minhash.shingle_hashes(keys, size, words)
    low, _ = minhash.shingle_hashes([k[::-1] for k in keys], size, words)
    # the reversed key's shingles are the key's, reversed and in reverse order
    owner = np.repeat(np.arange(len(keys), dtype=np.int64), counts)
    first = np.zeros(len(keys), dtype=np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    mirror = 2 * first[owner] + counts[owner] - 1 - np.arange(len(owner), dtype=np.int64)
    hashes = (high.astype(np.uint64) << np.uint64(32)) | low[mirror].astype(np.uint64)
    order = np.lexsort((hashes, owner))
    hashes, owner = hashes[order], owner[order]
    distinct = np.ones(len(hashes), dtype=bool)
    distinct[1:] = (hashes[1:] != hashes[:-1]) | (owner[1:] != owner[:-1])
    return np.bincount(owner[distinct], minlength=len(keys)), hashes[distinct]


@lru_cache(maxsize=1 << 13)
def _shingles(key: str, lang: str, size_cjk: int, size_words: int) -> np.ndarray:
    rules = Rules(shingle_cjk=size_cjk, shingle_words=size_words)
    _, hashes = _distinct_hashes([key], *_shingle_unit(lang, rules))
    hashes.flags.writeable = False
    return hashes


def shingle_set(record: Record, rules: Rules) -> np.ndarray:
    """The record's shingles under ``rules``: the sorted array of their distinct 64-bit
    hashes (rule 1), read-only; ``len()`` is the number of shingles. For many records,
    :class:`ShingleTable` is faster."""
    return _shingles(record.key, record.lang, rules.shingle_cjk, rules.shingle_words)


def eligible(records: Sequence[Record], rules: Rules) -> list[Record]:
    """The records that take part: at least ``min_shingles`` shingles."""
    sizes = ShingleTable(records, rules).sizes
    return [r for r, n in zip(records, sizes.tolist()) if n >= rules.min_shingles]


# ---------------------------------------------------------------- candidates

def signature_matrix(records: Sequence[Record], rules: Rules) -> np.ndarray:
    """One row of ``num_perm`` uint32 MinHash values per record (rule 2:
    ``fingerprint.signature_matrix``, described by ``fingerprint.scheme(fingerprint.HASH)``)."""
    out = np.empty((len(records), rules.num_perm), dtype=np.uint32)
    for (size, words), where in _by_unit(records, rules).items():
        out[where] = fingerprint.signature_matrix([records[i].key for i in where], rules.num_perm,
                                                  size=size, words=words)
    return out


def band_keys(kind: str, row: np.ndarray, rules: Rules) -> list[bytes]:
    """The ``b`` bucket keys of one signature: the kind's initial (``a`` or ``f``), the
    band's number (2 bytes) and its ``r`` values (4 bytes each), big-endian (``bytes``
    for a store; ``.hex()`` for a text store)."""
    b, r = rules.bands
    packed = np.ascontiguousarray(row[:b * r].astype(">u4")).tobytes()
    initial = kind[0].encode()
    return [initial + band.to_bytes(2, "big") + packed[band * r * 4:(band + 1) * r * 4] for band in range(b)]


def lsh_pairs(records: Sequence[Record], sigs: np.ndarray, rules: Rules) -> np.ndarray:
    """Candidate pairs ``(i, j)`` (indices into ``records``, ``i < j`` in ``(seen, id)``
    order) by the bucket rule of the module docstring, as an ``(n, 2)`` int64 array,
    sorted and unique."""
    n = len(records)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    b, r = rules.bands
    rank = np.array(sorted(range(n), key=lambda i: (records[i].seen, records[i].id)), dtype=np.int64)
    position = np.empty(n, dtype=np.int64)
    position[rank] = np.arange(n)            # a record's place in (seen, id) order
    kinds = np.array([KINDS.index(rec.kind) for rec in records], dtype=np.int64)
    found: list[np.ndarray] = []          # per band: unique pair codes (left * n + right)
    pending = 0
    for band in range(b):
        cols = sigs[:, band * r:(band + 1) * r]
        order = np.lexsort((position, *(cols[:, c] for c in range(r - 1, -1, -1)), kinds))
        ranked = cols[order]
        kinds_ranked = kinds[order]
        new = np.ones(n, dtype=bool)
        new[1:] = np.any(ranked[1:] != ranked[:-1], axis=1) | (kinds_ranked[1:] != kinds_ranked[:-1])
        starts = np.maximum.accumulate(np.where(new, np.arange(n), 0))
        offset = np.arange(n) - starts
        codes = []
        for k in range(rules.bucket_pairs):
            mask = offset > k
            if not mask.any():
                break
            # sorted by position inside a bucket: the earlier record is on the left
            codes.append(order[starts[mask] + k] * n + order[mask])
        if codes:
            found.append(np.unique(np.concatenate(codes)))
            pending += len(found[-1])
        if len(found) > 1 and pending > 2 * len(found[0]) + 100_000:
            found = [np.unique(np.concatenate(found))]     # the same pairs recur in many bands
            pending = len(found[0])
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack((codes // n, codes % n), axis=1)


# ---------------------------------------------------------------- verification and clusters

def overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """``(jaccard, containment of the smaller in the larger)`` of two sorted arrays of
    distinct shingle hashes (:func:`shingle_set`)."""
    if not len(a) or not len(b):
        return 0.0, 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common), common / min(len(a), len(b))


def is_edge(common, size_a, size_b, rules: Rules):
    """Rule 3 on counts (numbers or numpy arrays): ``|A∩B|``, ``|A|``, ``|B|``, all non-zero sizes."""
    jaccard = common / (size_a + size_b - common)
    containment = common / np.minimum(size_a, size_b)
    return (jaccard >= rules.jaccard_min) | (containment >= rules.containment_min)


def verify(a: Record, b: Record, rules: Rules) -> bool:
    """Is the candidate pair an edge? (rule 3 of the module docstring)"""
    if a.kind != b.kind:
        return False
    jaccard, containment = overlap(shingle_set(a, rules), shingle_set(b, rules))
    return jaccard >= rules.jaccard_min or containment >= rules.containment_min


def components(n: int, edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components of ``n`` nodes (union-find), each sorted, those of two or more."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in edges:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for x in range(n):
        groups.setdefault(find(x), []).append(x)
    return [g for g in groups.values() if len(g) > 1]


def representative(members: Sequence[Record], rules: Rules,
                   shingles: Callable[[Record], np.ndarray] | None = None) -> tuple[Record, str, str]:
    """The member kept, its reason slug and a sentence (rule 5). ``shingles`` gives a
    record's hashes (default :func:`shingle_set`)."""
    shingles = shingles or (lambda r: shingle_set(r, rules))
    size = {m.id: len(shingles(m)) for m in members}
    ranked = sorted(members, key=lambda m: (-size[m.id], m.seen, m.id))
    best = ranked[0]
    runner = size[ranked[1].id] if len(ranked) > 1 else 0
    if size[best.id] > runner:
        return best, "most_complete", f"most complete reading: {size[best.id]} shingles, next {runner}"
    return best, "first_seen", f"first seen among the equally complete readings ({size[best.id]} shingles)"


def make_cluster(members: Sequence[Record], rules: Rules, stored: frozenset[str] = frozenset(),
                 shingles: Callable[[Record], np.ndarray] | None = None) -> Cluster:
    """A :class:`Cluster` of these records (rules 5–7). ``shingles`` gives a record's
    hashes (default :func:`shingle_set`)."""
    shingles = shingles or (lambda r: shingle_set(r, rules))
    rep, reason, detail = representative(members, rules, shingles)
    rep_set = shingles(rep)
    out = []
    for m in sorted(members, key=lambda m: (m.seen, m.id)):
        mine = shingles(m)
        common = len(np.intersect1d(mine, rep_set, assume_unique=True))
        jaccard = common / (len(mine) + len(rep_set) - common) if len(mine) or len(rep_set) else 0.0
        containment = common / len(mine) if len(mine) else 0.0
        out.append(Member(m, round(jaccard, 4), round(containment, 4), m.id == rep.id, m.id in stored))
    prefix = "a-" if rep.kind == "article" else "f-"
    return Cluster(prefix + hashlib.sha1(rep.id.encode("utf-8", "surrogatepass")).hexdigest()[:12], rep.kind,
                   rep, reason, detail, tuple(out))


def cluster_records(records: Sequence[Record], rules: Rules, pairs: np.ndarray | None = None,
                    sigs: np.ndarray | None = None, stored: frozenset[str] = frozenset()) -> list[Cluster]:
    """Cluster ``records`` (rules 1–7). ``pairs`` adds candidate pairs (indices into
    ``records``) to those of :func:`lsh_pairs`, e.g. from a persistent index; ``sigs``
    is their :func:`signature_matrix` when already computed; ``stored`` names the
    records that came from an index (marked in the output)."""
    index = {r.id: i for i, r in enumerate(records)}
    if len(index) != len(records):
        raise ValueError("record ids must be unique")
    table = ShingleTable(records, rules)
    sizes = table.sizes
    keep = np.flatnonzero(sizes >= rules.min_shingles)
    sub = [records[i] for i in keep.tolist()]
    if sigs is None:
        sub_sigs = signature_matrix(sub, rules)
    else:
        sub_sigs = sigs[keep] if len(keep) != len(records) else sigs
    candidates = lsh_pairs(sub, sub_sigs, rules)
    del sub_sigs
    if pairs is not None and len(pairs):
        back = np.full(len(records), -1, dtype=np.int64)
        back[keep] = np.arange(len(keep))
        extra = back[np.asarray(pairs, dtype=np.int64)]
        extra = extra[(extra >= 0).all(axis=1)]
        candidates = np.unique(np.concatenate((candidates, extra)), axis=0) if len(extra) else candidates
    kinds = np.array([KINDS.index(r.kind) for r in sub], dtype=np.int8)
    edges = []
    for start in range(0, len(candidates), 1 << 20):
        chunk = candidates[start:start + (1 << 20)]
        left, right = keep[chunk[:, 0]], keep[chunk[:, 1]]
        common = table.common(left, right)
        ok = is_edge(common, sizes[left], sizes[right], rules) & (kinds[chunk[:, 0]] == kinds[chunk[:, 1]])
        edges += chunk[ok].tolist()
    groups = components(len(sub), edges)
    del edges, candidates

    def shingles(r: Record) -> np.ndarray:
        return table[index[r.id]]

    clusters = [make_cluster([sub[x] for x in group], rules, stored, shingles) for group in groups]
    clusters.sort(key=lambda c: (KINDS.index(c.kind), c.representative.seen, c.representative.id))
    return clusters


def also_in(clusters: Iterable[Cluster]) -> Mapping[str, list[dict]]:
    """For every representative, where its other readings are (``--emit articles``)."""
    out: dict[str, list[dict]] = {}
    for c in clusters:
        out[c.representative.id] = [
            {"id": m.record.id, "source": m.record.source, "page": m.record.page, "article": m.record.article,
             "jaccard": m.jaccard, "containment": m.containment} for m in c.members if not m.kept]
    return out




# ---------------------------------------------------------------- a run, with or without an index

@dataclass
class Run:
    """What :func:`dedup` found: the clusters and counts for the summary."""

    clusters: list[Cluster]
    records: int = 0
    eligible: int = 0
    stored_before: int = 0
    created: list[str] = field(default_factory=list)

    def duplicates(self, kind: str) -> int:
        return sum(len(c.members) - 1 for c in self.clusters if c.kind == kind)


def dedup(records: Sequence[Record], rules: Rules, store=None, batch: int = 5000) -> Run:
    """Cluster a run's records; with ``store`` (a :class:`cleaner.index.Store`), also
    against everything stored before, then store this run's records.

    ``records`` come numbered from 0 in input order (:func:`page_records`); with a store
    they are renumbered from a reserved range, and a record whose id is already stored
    (the same page run again) is the stored one. Records are stored in batches of about
    ``batch`` that never split a page, each batch atomic.
    """
    if store is None:
        return Run(cluster_records(records, rules), len(records), len(eligible(records, rules)))
    from dataclasses import replace

    base = store.reserve(len(records))
    fresh = [replace(r, seen=base + r.seen) for r in records]
    before = store.records(r.id for r in fresh)
    today = [before.get(r.id, r) for r in fresh]
    part = eligible(today, rules)
    sigs = signature_matrix(part, rules)
    keys = [band_keys(r.kind, sigs[i], rules) for i, r in enumerate(part)]
    owners = store.owners([k for ks in keys for k in ks])
    ours = {r.id for r in part}
    stored = store.records({o for o in owners.values() if o not in ours})
    pool = sorted(stored.values(), key=lambda r: (r.seen, r.id)) + part
    where = {r.id: i for i, r in enumerate(pool)}
    pairs = {(where[owners[k]], len(stored) + i) for i, ks in enumerate(keys) for k in ks
             if k in owners and owners[k] in where and where[owners[k]] != len(stored) + i}
    pool_sigs = np.concatenate((signature_matrix(pool[:len(stored)], rules), sigs)) if stored else sigs
    clusters = cluster_records(pool, rules, np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2),
                               sigs=pool_sigs, stored=frozenset(stored) | frozenset(before))
    run = Run(clusters, len(records), len(part), len(stored) + len(before))
    # store this run's new records, page by page, in atomic batches
    new = [(r, sigs[i]) for i, r in enumerate(part) if r.id not in before]
    chunk: list[tuple[Record, np.ndarray]] = []
    for n, item in enumerate(new):
        chunk.append(item)
        last = n + 1 == len(new)
        if last or (len(chunk) >= batch and (new[n + 1][0].source, new[n + 1][0].page)
                    != (item[0].source, item[0].page)):
            run.created += store.add([r for r, _ in chunk], np.stack([s for _, s in chunk]))
            chunk = []
    return run


def unit_records(unit, settings, emit_articles: bool = False) -> tuple[list[Record], dict[str, dict], str | None]:
    """Clean one input unit (``cleaner.batch.Unit``) with the same per-page function as
    ``cleaner clean`` and return its records (numbered from 0), its article records by
    record id (when ``emit_articles``) and an error line, never raising for one input."""
    from .batch import clean_results
    from .errors import CleanerError
    from .render import article_record

    try:
        results = clean_results(unit, settings)
    except CleanerError as err:
        return [], {}, f"{unit.name}: {err}"
    records: list[Record] = []
    articles: dict[str, dict] = {}
    for n, result in enumerate(results, 1):
        mine = page_records(result, unit.name, n, len(records))
        records += mine
        if emit_articles:
            for r in mine:
                if r.kind == "article":
                    articles[r.id] = article_record(result.articles[r.article], result, r.article) | {
                        "id": r.id, "page": r.page}
    return records, articles, None


def read_records(units: Iterable, settings, jobs: int = 1, emit_articles: bool = False):
    """``(records, articles, error)`` per unit, in input order (``InputError`` items pass
    through as errors); ``jobs`` > 1 cleans in worker processes, at most ``4 × jobs``
    units in flight."""
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    from .errors import InputError

    if jobs <= 1:
        for unit in units:
            yield ([], {}, str(unit)) if isinstance(unit, InputError) else unit_records(unit, settings, emit_articles)
        return
    with ProcessPoolExecutor(jobs) as pool:
        window: deque = deque()
        for unit in units:
            window.append(unit if isinstance(unit, InputError)
                          else pool.submit(unit_records, unit, settings, emit_articles))
            while len(window) > 4 * jobs:
                head = window.popleft()
                yield ([], {}, str(head)) if isinstance(head, InputError) else head.result()
        while window:
            head = window.popleft()
            yield ([], {}, str(head)) if isinstance(head, InputError) else head.result()


def renumber(records: Sequence[Record], start: int) -> list[Record]:
    """The records with ``seen`` counted on from ``start`` (units are read one by one)."""
    from dataclasses import replace

    return [replace(r, seen=start + r.seen) for r in records]
