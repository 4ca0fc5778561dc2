"""MinHash signatures and LSH candidate pairs: the only module that imports datasketch
(lazily: only :func:`lean`, :func:`signatures` and :func:`bands` for a threshold outside
:data:`BANDS` load it, and with it scipy, which costs a worker process about 0.6 s).

MinHash estimates the Jaccard similarity of two shingle sets from ``num_perm`` minimum
hash values; LSH cuts each signature into ``b`` bands of ``r`` rows and calls two sets
candidates when any band agrees, which happens with probability ``1 - (1 - J^r)^b``.
datasketch picks ``b`` and ``r`` for a threshold by weighing false positives against
false negatives; we ask for a low threshold (0.3 by default) because every candidate
is verified exactly afterwards (``copies``), so a missed pair costs quality while a
false candidate costs only a comparison.

Two ways in, one signature format (datasketch 2.x's ``affine32`` permutations, seed
:data:`SEED`, ``uint32`` values):

- :func:`signature_matrix` — the fast path ``copies`` uses: shingles are hashed from
  the keys' code points with numpy (:mod:`cleaner.minhash`, base hash
  :data:`HASH`), one row per key. Equal, bit for bit, to
  ``datasketch.MinHash(num_perm, seed=SEED, hashfunc=minhash.base_hash)`` fed the
  shingles of ``normalise.shingles``; :func:`lean` wraps rows as ``LeanMinHash``.
- :func:`signatures` — datasketch's default hash (SHA-1, ``sha1_hash32``) of shingle
  sets of strings, as ``MinHash.bulk`` gives them: for comparing with sketches made by
  datasketch itself. Hashing stays one shingle at a time, so it is the slow way.

:func:`scheme` says what a signature depends on (``scheme()`` for :func:`signatures`,
``scheme(HASH)`` for the fast path); store it beside any persisted one.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from . import minhash

if TYPE_CHECKING:
    from datasketch import LeanMinHash

SEED = 1
#: The base hash of :func:`signature_matrix` (see :func:`cleaner.minhash.base_hash`).
HASH = minhash.HASH_NAME
#: The base hash of :func:`signatures`: datasketch's default.
SHA1 = "sha1_hash32"


def scheme(hash: str = SHA1) -> dict:
    """What a stored signature depends on, for reports and persisted indexes: the base
    hash of a shingle, the seed and the permutation scheme (plus ``num_perm`` and the
    shingles themselves, which the caller records). ``scheme()`` describes
    :func:`signatures` (datasketch's default hash), ``scheme(HASH)``
    :func:`signature_matrix` and :func:`set_signature_matrix` (what ``copies`` uses).

    >>> scheme()["hash"], scheme(HASH)["permutations"]
    ('sha1_hash32', 'affine32')
    """
    record = {"library": "datasketch", "version": _datasketch_version(),
              "hash": hash, "seed": SEED, "permutations": "affine32"}
    if hash == HASH:
        record["hash_definition"] = (f"Horner over the shingle's code points mod 2^64, multiplier {minhash.POLY:#x}; "
                                     "MurmurHash3 fmix64; high 32 bits (cleaner.minhash.base_hash)")
    elif hash != SHA1:
        raise ValueError(f"unknown hash {hash!r}: use fingerprint.HASH or fingerprint.SHA1")
    return record


@lru_cache(maxsize=None)
def _datasketch_version() -> str:
    """datasketch's ``__version__``, read without importing it (and scipy) when it is not
    loaded yet: from the installed distribution's metadata."""
    import sys
    if "datasketch" in sys.modules:
        return getattr(sys.modules["datasketch"], "__version__", "?")
    from importlib import metadata
    try:
        return metadata.version("datasketch")
    except metadata.PackageNotFoundError:
        return "?"


def signature_matrix(keys: Sequence[str], num_perm: int, *, size: int, words: bool) -> np.ndarray:
    """MinHash signatures of the shingle sets of ``keys`` (``normalise.shingles(key, …)``:
    ``size``-grams of words when ``words``, else of characters), one ``uint32`` row of
    ``num_perm`` values per key; an empty key has the empty signature (every value
    2^32 - 1). Base hash :data:`HASH`.

    >>> m = signature_matrix(["甲乙丙丁戊己", "甲乙丙丁戊己", ""], 16, size=5, words=False)
    >>> m.shape, bool((m[0] == m[1]).all()), int(m[2].min()) == 2 ** 32 - 1
    ((3, 16), True, True)
    """
    return minhash.signature_matrix(keys, num_perm, SEED, size, words)


def set_signature_matrix(sets: Sequence[Iterable[str]], num_perm: int) -> np.ndarray:
    """As :func:`signature_matrix`, for shingle sets already made (strings hashed whole)."""
    hashes, counts = minhash.set_hashes([s if isinstance(s, (set, frozenset)) else set(s) for s in sets])
    return minhash.signatures_from_hashes(hashes, counts, num_perm, SEED)


def lean(matrix: np.ndarray) -> list[LeanMinHash]:
    """Rows of a signature matrix as datasketch ``LeanMinHash`` (for ``MinHashLSH``,
    ``jaccard``, serialisation)."""
    from datasketch import LeanMinHash
    return [LeanMinHash(seed=SEED, hashvalues=row, scheme="affine32") for row in matrix]


#: Kept for callers that size their inputs by it: shingles per batch in the old
#: per-set ``update_batch`` path. :func:`signatures` now bounds its memory by
#: :data:`cleaner.minhash.PERM_BATCH` instead.
BATCH = 8192


def _sha1_hash32(shingle: str) -> int:
    return struct.unpack("<I", hashlib.sha1(shingle.encode("utf-8")).digest()[:4])[0]


def signatures(sets: Sequence[Iterable[str]], num_perm: int) -> list[LeanMinHash]:
    """One MinHash signature per shingle set with datasketch's defaults (``sha1_hash32``
    of the UTF-8 shingle, seed :data:`SEED`, ``affine32``): what ``MinHash.bulk`` gives,
    with the permutations applied by :mod:`cleaner.minhash`."""
    if not sets:
        return []
    materialised = [s if isinstance(s, (set, frozenset)) else set(s) for s in sets]
    counts = np.fromiter(map(len, materialised), dtype=np.int64, count=len(materialised))
    hashes = np.fromiter((_sha1_hash32(s) for shingles in materialised for s in shingles),
                         dtype=np.uint32, count=int(counts.sum()))
    return lean(minhash.signatures_from_hashes(hashes, counts, num_perm, SEED))


#: A band value shared by more sets than this pairs each of them with the first
#: ``BUCKET_CAP`` sets holding it (in page order) instead of with all of them: on a page of
#: 50,000 near-identical tiny blocks, all pairs would be quadratic in time and memory. On
#: real pages a band is shared by a handful of blocks (identical texts are one set).
BUCKET_CAP = 64


#: ``(b, r)`` as datasketch 2.0's ``MinHashLSH(threshold, num_perm)`` (default weights)
#: picks them, by ``(threshold, num_perm)``: the choice minimises integrals datasketch
#: takes with scipy's ``quad``, so it is recorded rather than recomputed, and
#: ``tests/test_fingerprint.py`` checks every entry against datasketch. Other values ask
#: datasketch (importing it).
BANDS: dict[tuple[float, int], tuple[int, int]] = {
    (0.1, 32): (15, 1), (0.2, 32): (16, 2), (0.3, 32): (12, 2), (0.4, 32): (10, 3), (0.5, 32): (8, 4),
    (0.6, 32): (6, 5), (0.7, 32): (5, 6), (0.8, 32): (3, 10), (0.9, 32): (2, 16),
    (0.1, 64): (15, 1), (0.2, 64): (28, 2), (0.3, 64): (21, 3), (0.4, 64): (16, 4), (0.5, 64): (14, 4),
    (0.6, 64): (10, 6), (0.7, 64): (8, 8), (0.8, 64): (5, 11), (0.9, 64): (3, 21),
    (0.1, 128): (64, 2), (0.2, 128): (28, 2), (0.3, 128): (37, 3), (0.4, 128): (32, 4), (0.5, 128): (25, 5),
    (0.6, 128): (18, 7), (0.7, 128): (14, 9), (0.8, 128): (9, 13), (0.9, 128): (5, 25),
    (0.1, 256): (117, 2), (0.2, 256): (85, 3), (0.3, 256): (64, 4), (0.4, 256): (51, 5), (0.5, 256): (42, 6),
    (0.6, 256): (32, 8), (0.7, 256): (25, 10), (0.8, 256): (17, 15), (0.9, 256): (9, 28),
}


@lru_cache(maxsize=None)
def bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(b, r): the number of bands and rows datasketch's ``MinHashLSH`` picks for ``threshold``
    (from :data:`BANDS` when listed there)."""
    known = BANDS.get((threshold, num_perm))
    if known is not None:
        return known
    from datasketch import MinHashLSH
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def candidate_array(sigs: np.ndarray | Sequence[LeanMinHash], threshold: float, num_perm: int) -> np.ndarray:
    """Candidate pairs as an ``(m, 2)`` array of indices ``i < j``, sorted: see
    :func:`candidate_pairs`."""
    matrix = sigs if isinstance(sigs, np.ndarray) else (
        np.stack([s.hashvalues for s in sigs]) if len(sigs) else np.zeros((0, num_perm), dtype=np.uint32))
    b, r = bands(threshold, num_perm)
    return minhash.band_pairs(matrix, b, r, BUCKET_CAP)


def candidate_pairs(sigs: np.ndarray | Sequence[LeanMinHash], threshold: float, num_perm: int) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, that share at least one LSH band.

    ``sigs`` is a signature matrix (:func:`signature_matrix`) or a list of MinHashes. The
    bands are ``MinHashLSH``'s (the same ``b`` and ``r``; two sets share a bucket when a
    band of their signatures is equal), grouped with numpy, one sort per band, rather
    than by a ``MinHashLSH`` insert and query per set: the same pairs (up to
    :data:`BUCKET_CAP`), without its per-set cost.
    """
    pairs = candidate_array(sigs, threshold, num_perm)
    return set(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))
