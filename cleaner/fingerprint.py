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

import datasketch
from datasketch import LeanMinHash, MinHash, MinHashLSH

SEED = 1


def scheme() -> dict:
    """What a stored signature depends on, for reports and persisted indexes."""
    return {"library": "datasketch", "version": getattr(datasketch, "__version__", "?"),
            "hash": "sha1_hash32", "seed": SEED}


def signatures(sets: Sequence[Iterable[str]], num_perm: int) -> list[LeanMinHash]:
    """One MinHash signature per shingle set (permutations shared across the batch)."""
    if not sets:
        return []
    encoded = [[s.encode("utf-8") for s in sorted(shingles)] for shingles in sets]
    return [LeanMinHash(m) for m in MinHash.bulk(encoded, num_perm=num_perm, seed=SEED)]


def candidate_pairs(sigs: Sequence[LeanMinHash], threshold: float, num_perm: int) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, that share at least one LSH band."""
    if len(sigs) < 2:
        return set()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    with lsh.insertion_session() as session:
        for i, sig in enumerate(sigs):
            session.insert(i, sig, check_duplication=False)
    pairs = set()
    for i, sig in enumerate(sigs):
        for j in lsh.query(sig):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return pairs
