"""MinHash signatures and LSH candidate pairs: the only module that imports datasketch.

MinHash estimates the Jaccard similarity of two shingle sets from ``num_perm`` minimum
hash values; LSH cuts each signature into ``b`` bands of ``r`` rows and calls two sets
candidates when any band agrees, which happens with probability ``1 - (1 - J^r)^b``.
datasketch picks ``b`` and ``r`` for a threshold by weighing false positives against
false negatives; we ask for a low threshold (0.3 by default) because every candidate
is verified exactly afterwards (``copies``), so a missed pair costs quality while a
false candidate costs only a comparison.

Signatures use datasketch's defaults (SHA-1 32-bit hash of the UTF-8 shingle, seed 1,
its 2.x ``affine32`` permutation scheme) so that they can be stored and compared with
any datasketch ``MinHash``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import datasketch
import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

SEED = 1


def scheme() -> dict:
    """What a stored signature depends on, for reports and persisted indexes."""
    return {"library": "datasketch", "version": getattr(datasketch, "__version__", "?"),
            "hash": "sha1_hash32", "seed": SEED}


#: shingles hashed per ``update_batch`` call: datasketch builds a ``num_perm`` × batch table
#: of 64-bit values, 1.7 GB for the 1.7 million shingles of a 5 MB line in one call. A
#: minimum taken batch by batch is the same minimum.
BATCH = 8192


def signatures(sets: Sequence[Iterable[str]], num_perm: int) -> list[LeanMinHash]:
    """One MinHash signature per shingle set (permutations shared across the batch, as
    ``MinHash.bulk`` does, with each set hashed in batches of :data:`BATCH`)."""
    if not sets:
        return []
    base = MinHash(num_perm=num_perm, seed=SEED)
    out = []
    for shingles in sets:
        encoded = [s.encode("utf-8") for s in sorted(shingles)]
        minhash = base.copy()
        for start in range(0, len(encoded), BATCH):
            minhash.update_batch(encoded[start:start + BATCH])
        out.append(LeanMinHash(minhash))
    return out


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


def candidate_pairs(sigs: Sequence[LeanMinHash], threshold: float, num_perm: int) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, that share at least one LSH band.

    The bands are ``MinHashLSH``'s (the same ``b`` and ``r``; two sets share a bucket when
    a band of their signatures is equal), grouped here with numpy, one sort per band,
    rather than by a ``MinHashLSH`` insert and query per set: the same pairs (up to
    :data:`BUCKET_CAP`), without its per-set cost, which dominated a page of 50,000 blocks.
    """
    if len(sigs) < 2:
        return set()
    b, r = bands(threshold, num_perm)
    matrix = np.stack([sig.hashvalues for sig in sigs])
    pairs: set[tuple[int, int]] = set()
    for band in range(b):
        values = matrix[:, band * r:(band + 1) * r]
        order = np.lexsort(values.T[::-1])        # by bucket; stable, so page order inside one
        ranked = values[order]
        edges = np.flatnonzero(np.any(ranked[1:] != ranked[:-1], axis=1)) + 1
        starts = np.concatenate(([0], edges))
        ends = np.concatenate((edges, [len(order)]))
        for start, end in zip(starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist()):
            members = order[start:end].tolist()
            for x, i in enumerate(members[1:], 1):
                for j in members[:min(x, BUCKET_CAP)]:
                    pairs.add((j, i))
    return pairs
