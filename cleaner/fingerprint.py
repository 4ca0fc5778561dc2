"""MinHash signatures and LSH candidate pairs: the only module that imports datasketch.

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

import datasketch
import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from . import minhash

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
    record = {"library": "datasketch", "version": getattr(datasketch, "__version__", "?"),
              "hash": hash, "seed": SEED, "permutations": "affine32"}
    if hash == HASH:
        record["hash_definition"] = (f"Horner over the shingle's code points mod 2^64, multiplier {minhash.POLY:#x}; "
                                     "MurmurHash3 fmix64; high 32 bits (cleaner.minhash.base_hash)")
    elif hash != SHA1:
        raise ValueError(f"unknown hash {hash!r}: use fingerprint.HASH or fingerprint.SHA1")
    return record


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


@lru_cache(maxsize=None)
def bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(b, r): the number of bands and rows datasketch's ``MinHashLSH`` picks for ``threshold``."""
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
