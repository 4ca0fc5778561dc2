"""Vectorised MinHash and LSH banding with numpy: the fast path behind ``fingerprint``.

Per-shingle Python work is the wall for MinHash in Python (a ``set`` of 5-gram slices
alone caps near 10,000 fragments a second), so nothing here touches a shingle as a
Python object. Keys are concatenated and read as one array of code points; every
shingle is a span ``[start, end)`` of that array, and its hash a polynomial over its
code points taken from prefix sums:

    P[i] = c[0]·B^(i-1) + … + c[i-1]        (mod 2^64, B odd)
    hash(start, end) = P[end] - P[start]·B^(end-start)

which is Horner's rule over the span, so a shingle hashes the same wherever it stands.
Character ``n``-grams, all of one width, skip the prefix sums (a running sum is numpy's
slowest step here): every window of ``n`` code points is hashed at once, by doubling
(:func:`_windows`). :func:`base_hash` is the same function written plainly, one shingle
at a time.

From there the steps are datasketch 2.x's ``affine32`` scheme, bit for bit: the 32-bit
base hash is mixed with the MurmurHash3 finaliser and each permutation ``k`` maps it to
``a[k]·h + b[k] mod 2^32`` (``a`` odd, so a bijection), with ``a`` and ``b`` drawn as
datasketch draws them from ``numpy.random.RandomState(seed)``. A signature computed
here equals ``datasketch.MinHash(num_perm, seed, hashfunc=base_hash)`` fed the same
shingles, so datasketch's ``LeanMinHash``, ``MinHashLSH`` and ``jaccard`` accept it.

Candidates come from sorting, not from a hash table of buckets: per band, the rows of
the band are reduced to one 64-bit key, sorted, and runs of equal rows are buckets.

Only numpy is imported here; datasketch stays behind ``fingerprint``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

#: Multiplier of the polynomial hash: the 64-bit FNV prime (odd, so invertible mod 2^64).
POLY = 0x100000001B3
_MASK64 = (1 << 64) - 1
_MASK32 = (1 << 32) - 1
#: Name of the base hash, as :func:`fingerprint.scheme` reports it.
HASH_NAME = "poly64-fnv-fmix64-hi32"
#: Value of an empty signature (datasketch's affine32 sentinel).
EMPTY = np.uint32(_MASK32)

#: Code points hashed per piece: keys are processed in pieces of about this many
#: characters (a longer key is a piece of its own), keeping the working arrays small.
PIECE_CHARS = 1 << 16
#: Shingles permuted at once (whole sets, unless one set is longer), …
PERM_BATCH = 1 << 14
#: … by this many permutations at a time: a table of 16 × 16,384 32-bit values, 1 MB.
PERM_GROUP = 16

_U64 = np.uint64
_U32 = np.uint32
_LITTLE = np.little_endian


def _fmix64_int(x: int) -> int:
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & _MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & _MASK64
    return x ^ (x >> 33)


def base_hash(shingle: str | bytes) -> int:
    """The 32-bit base hash of one shingle: Horner's rule over its code points modulo
    2^64 with multiplier :data:`POLY`, mixed with the 64-bit MurmurHash3 finaliser, high
    32 bits. Bytes are read as UTF-8 (datasketch callers often encode first).

    >>> base_hash("甲乙丙丁戊") == base_hash("甲乙丙丁戊".encode("utf-8"))
    True
    >>> 0 <= base_hash("the long term") < 2 ** 32
    True
    """
    if isinstance(shingle, bytes):
        shingle = shingle.decode("utf-8", "surrogatepass")
    p = 0
    for ch in shingle:
        p = (p * POLY + ord(ch)) & _MASK64
    return _fmix64_int(p) >> 32


def _fmix32(x: np.ndarray) -> np.ndarray:
    """datasketch's pre-mix for ``affine32`` (MurmurHash3's 32-bit finaliser)."""
    x ^= x >> _U32(16)
    x *= _U32(0x85EBCA6B)
    x ^= x >> _U32(13)
    x *= _U32(0xC2B2AE35)
    x ^= x >> _U32(16)
    return x


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)``, the affine32 permutations datasketch 2.x draws for ``num_perm`` and
    ``seed`` (``a`` odd). Read-only arrays, shared."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.flags.writeable = b.flags.writeable = False
    return a, b


@lru_cache(maxsize=4)
def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``POLY^i`` and ``POLY^-(i+1)`` for ``i < n``, modulo 2^64."""
    up = np.full(n, POLY, dtype=_U64)
    up[0] = 1
    down = np.full(n, pow(POLY, -1, 1 << 64), dtype=_U64)
    return np.cumprod(up), np.cumprod(down)


def _table(n: int) -> tuple[np.ndarray, np.ndarray]:
    size = PIECE_CHARS + 1
    while size < n:
        size *= 2
    return _powers(size) if size == PIECE_CHARS + 1 else _powers.__wrapped__(size)


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _spans(codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray, size: int,
           words: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shingle spans of the keys ``codes[starts[k]:starts[k] + lengths[k]]`` (all
    non-empty), as ``normalise.shingles`` makes them: ``size``-grams of characters, or of
    words split at single spaces; a key of at most ``size`` units is one shingle.

    Returns ``(begin, end, count)``: the spans, key by key, and how many each key has.
    """
    if not words:
        units = lengths
        unit_start = unit_end = None
    else:
        ends = starts + lengths                # each key is followed by a separator
        cut = np.zeros(len(codes) + 1, dtype=bool)
        cut[ends] = True                       # the end of each key ends its last word
        cut[:-1] |= codes == 32
        bound = np.flatnonzero(cut)
        owner = np.searchsorted(ends, bound, side="left")
        unit_end = bound
        unit_start = np.empty_like(bound)
        unit_start[1:] = bound[:-1] + 1
        if len(bound):
            unit_start[0] = starts[0]
        first_of_key = np.ones(len(bound), dtype=bool)
        first_of_key[1:] = owner[1:] != owner[:-1]
        unit_start[first_of_key] = starts[owner[first_of_key]]
        units = np.bincount(owner, minlength=len(starts))
    whole = units <= size
    count = np.where(whole, 1, units - size + 1)
    total = int(count.sum())
    key = np.repeat(np.arange(len(starts)), count)
    offset = np.zeros(len(starts), dtype=np.int64)
    np.cumsum(count[:-1], out=offset[1:])
    j = np.arange(total, dtype=np.int64) - offset[key]
    whole_s = whole[key]
    if not words:
        begin = starts[key] + j
        end = np.where(whole_s, starts[key] + lengths[key], begin + size)
        return begin, end, count
    first_unit = np.zeros(len(starts), dtype=np.int64)
    np.cumsum(units[:-1], out=first_unit[1:])
    lo = np.minimum(first_unit[key] + j, len(unit_start) - 1)
    hi = np.minimum(lo + size - 1, len(unit_end) - 1)
    begin = np.where(whole_s, starts[key], unit_start[lo])
    end = np.where(whole_s, starts[key] + lengths[key], unit_end[hi])
    return begin, end, count


def shingle_hashes(keys: Sequence[str], size: int, words: bool) -> tuple[np.ndarray, np.ndarray]:
    """Base hashes (:func:`base_hash`) of every shingle of every key, key by key, and the
    number of shingles of each key (0 for an empty key).

    >>> h, n = shingle_hashes(["甲乙丙丁", ""], 3, False)
    >>> n.tolist(), sorted(h.tolist()) == sorted([base_hash("甲乙丙"), base_hash("乙丙丁")])
    ([2, 0], True)
    """
    hashes, counts = [], []
    for lo, hi in _pieces(keys):
        h, c = _piece_hashes(keys[lo:hi], size, words)
        hashes.append(h)
        counts.append(c)
    if not counts:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    return np.concatenate(hashes), np.concatenate(counts)


def _pieces(keys: Sequence[str]):
    """``(lo, hi)``: consecutive ranges of keys of at most :data:`PIECE_CHARS` characters
    (counting one separator per key), or a single longer key. Found from the lengths'
    running sum, not by a Python step per key."""
    ends = np.cumsum(np.fromiter(map(len, keys), dtype=np.int64, count=len(keys)) + 1)
    lo, done = 0, 0
    while lo < len(keys):
        hi = max(lo + 1, int(np.searchsorted(ends, done + PIECE_CHARS, side="right")))
        yield lo, hi
        lo, done = hi, int(ends[hi - 1])


def _piece_hashes(keys: Sequence[str], size: int, words: bool) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    if not words:
        return _character_hashes(_code_points("".join(keys)), lengths, size)
    counts = np.zeros(len(keys), dtype=np.int64)
    present = np.flatnonzero(lengths)
    if not len(present):
        return np.zeros(0, dtype=np.uint32), counts
    # one separator after each key, so that a key's words end at its own end
    codes = _code_points("\x00".join(keys[i] for i in present))
    starts = np.zeros(len(present), dtype=np.int64)
    np.cumsum(lengths[present][:-1] + 1, out=starts[1:])
    begin, end, count = _spans(codes, starts, lengths[present], size, words)
    counts[present] = count
    prefix, up = _prefix(codes)
    h = prefix[end] - prefix[begin] * up[end - begin]
    return _finish(h), counts


def _character_hashes(codes: np.ndarray, lengths: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes and counts of the character ``size``-grams of keys laid end to end in
    ``codes`` (``lengths`` each, no separator).

    Every position gets the hash of the ``size`` code points from it, in a few vector
    steps (:func:`_windows`); the windows that run past the end of their key are then
    dropped. A key shorter than ``size`` is one shingle, itself: its hash takes the place
    of its first window.
    """
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    ends = starts + lengths
    padded = np.zeros(len(codes) + size - 1, dtype=_U64)     # a window from every position
    padded[:len(codes)] = codes
    window = _windows(padded, size)
    keep = np.ones(len(codes), dtype=bool)
    # the last size - 1 positions of each key (all of a short key's) start no full window
    tail = ends[:, None] - np.arange(1, size, dtype=np.int64)[None, :]
    keep[tail[tail >= starts[:, None]]] = False
    short = np.flatnonzero((lengths < size) & (lengths > 0))
    if len(short):
        window[starts[short]] = _short_hashes(codes, starts[short], lengths[short])
        keep[starts[short]] = True
    counts = np.where(lengths >= size, lengths - size + 1, np.minimum(lengths, 1))
    return _finish(window[keep]), counts


def _windows(codes: np.ndarray, size: int) -> np.ndarray:
    """Horner's rule over ``codes[p:p + size]`` (mod 2^64, multiplier :data:`POLY`) for
    every ``p`` that has ``size`` codes from it: ``len(codes) - size + 1`` values (none if
    shorter).

    Built like a power by squaring, from the windows of ``k`` codes: those of ``2k`` are
    ``W[p]·POLY^k + W[p + k]``, and one more code is ``W[p]·POLY + codes[p + 2k]`` — about
    two passes per bit of ``size`` (three steps for 5-grams) instead of ``size - 1``.
    """
    if len(codes) < size:
        return codes[:0]
    window, k = codes, 1
    for bit in bin(size)[3:]:
        window = window[:len(window) - k] * _U64(pow(POLY, k, 1 << 64)) + window[k:]
        k *= 2
        if bit == "1":
            window = window[:-1] * _U64(POLY) + codes[k:k + len(window) - 1]
            k += 1
    return window


def _short_hashes(codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Horner's rule over ``codes[s:s + n]`` for each (short) key ``s``, ``n``."""
    h = np.zeros(len(starts), dtype=_U64)
    for j in range(int(lengths.max())):
        more = j < lengths
        h[more] = h[more] * _U64(POLY) + codes[starts[more] + j]
    return h


def _prefix(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(prefix, up)``: prefix hashes of ``codes`` (``prefix[i]`` is Horner's rule over
    ``codes[:i]``) and the powers ``up[i] = POLY^i``, each ``len(codes) + 1`` long, so that
    the span ``[s, e)`` hashes as ``prefix[e] - prefix[s] * up[e - s]``."""
    up, down = _table(len(codes) + 1)
    prefix = np.zeros(len(codes) + 1, dtype=_U64)
    np.cumsum(codes.astype(_U64) * down[:len(codes)], out=prefix[1:])
    prefix *= up[:len(codes) + 1]
    return prefix, up


def _finish(h: np.ndarray) -> np.ndarray:
    """The 32-bit base hashes of 64-bit span hashes: the high half of fmix64 (in place).

    fmix64's last step, ``x ^= x >> 33``, leaves the high 32 bits as they are (``x >> 33``
    has none), so it is skipped; the high halves are read through a 32-bit view.
    """
    h ^= h >> _U64(33)
    h *= _U64(0xFF51AFD7ED558CCD)
    h ^= h >> _U64(33)
    h *= _U64(0xC4CEB9FE1A85EC53)
    return h.view(np.uint32)[1::2] if _LITTLE else (h >> _U64(32)).astype(np.uint32)


def signatures_from_hashes(hashes: np.ndarray, counts: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures (``len(counts)`` × ``num_perm``, uint32) of sets given by their
    base hashes, set by set (``counts[k]`` hashes for set ``k``; an empty set gets the
    empty signature, every value 2^32 - 1, as datasketch's)."""
    out = np.full((len(counts), num_perm), EMPTY, dtype=np.uint32)
    _fill_signatures(out, hashes, counts, *permutations(num_perm, seed))
    return out


def _fill_signatures(out: np.ndarray, hashes: np.ndarray, counts: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """:func:`signatures_from_hashes` written into ``out``, which holds empty signatures."""
    if not len(hashes):
        return
    mixed = _fmix32(hashes.astype(np.uint32, copy=True))
    starts = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    buffer = np.empty((min(PERM_GROUP, len(a)), min(PERM_BATCH, len(mixed))), dtype=np.uint32)
    for lo, hi, first_set, last_set in _batches(counts, PERM_BATCH):
        present = counts[first_set:last_set] > 0
        firsts = np.maximum(starts[first_set:last_set][present] - lo, 0)   # 0: a piece of a long set
        if last_set - first_set == 1 and hi - lo < counts[first_set]:
            # one piece of a set longer than a batch: fold it into the set's row
            mins = _batch_minima(mixed[lo:hi], firsts, a, b, buffer, np.empty((1, len(a)), dtype=np.uint32))
            np.minimum(out[first_set], mins[0], out=out[first_set])
        elif present.all():
            _batch_minima(mixed[lo:hi], firsts, a, b, buffer, out[first_set:last_set])
        else:
            out[first_set:last_set][present] = _batch_minima(
                mixed[lo:hi], firsts, a, b, buffer, np.empty((len(firsts), len(a)), dtype=np.uint32))


def _batches(counts: np.ndarray, size: int):
    """``(lo, hi, first_set, last_set)``: consecutive ranges ``[lo, hi)`` of the hashes of
    sets ``first_set … last_set - 1``, cut at set boundaries, each at most ``size`` hashes
    — except that a set of more than ``size`` hashes is cut into pieces of ``size``, one
    batch each. Whole sets mean a batch's minima are final: no merging across batches."""
    ends = np.cumsum(counts)
    row, pos = 0, 0
    while row < len(counts):
        stop = int(np.searchsorted(ends, pos + size, side="right"))
        if stop > row:
            hi = int(ends[stop - 1])
            if hi > pos:
                yield pos, hi, row, stop
            row, pos = stop, hi
        else:
            end = int(ends[row])
            for lo in range(pos, end, size):
                yield lo, min(lo + size, end), row, row + 1
            row, pos = row + 1, end


def _batch_minima(mixed: np.ndarray, firsts: np.ndarray, a: np.ndarray, b: np.ndarray,
                  buffer: np.ndarray, mins: np.ndarray) -> np.ndarray:
    """Per set, the minimum of ``a[k]·h + b[k] mod 2^32`` over its (pre-mixed) hashes ``h``,
    for every permutation ``k``, written into ``mins`` (sets × permutations); the sets
    start at ``firsts`` in ``mixed`` (at most ``buffer.shape[1]`` hashes).

    Permutations are taken a group of ``len(buffer)`` at a time: a group × batch table of
    about 1 MB stays in L2 cache through its three passes (multiply, add, minimum), and
    its rows are long enough (over a third of numpy's buffer of 8,192 elements) that
    numpy loops over them directly instead of first copying the broadcast operands into
    buffers, which costs about three times as much.
    """
    group = len(buffer)
    table = buffer[:, :len(mixed)]
    for k in range(0, len(a), group):
        rows = table[:len(a) - k] if k + group > len(a) else table
        np.multiply(a[k:k + group, None], mixed, out=rows)
        rows += b[k:k + group, None]
        np.minimum.reduceat(rows, firsts, axis=1, out=mins[:, k:k + group].T)
    return mins


def signature_matrix(keys: Sequence[str], num_perm: int, seed: int, size: int, words: bool) -> np.ndarray:
    """MinHash signatures (``len(keys)`` × ``num_perm``, uint32) of the shingle sets of
    ``keys``, as ``normalise.shingles(key, …)`` makes them."""
    a, b = permutations(num_perm, seed)
    out = np.full((len(keys), num_perm), EMPTY, dtype=np.uint32)
    for lo, hi in _pieces(keys):               # piece by piece: memory is the matrix plus one piece
        hashes, counts = _piece_hashes(keys[lo:hi], size, words)
        _fill_signatures(out[lo:hi], hashes, counts, a, b)
    return out


def set_hashes(sets: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Base hashes of every shingle of every set of strings, set by set, and the size of
    each set: the shingles are concatenated by C-level joins, not hashed one by one."""
    counts = np.fromiter(map(len, sets), dtype=np.int64, count=len(sets))
    flat = [s for shingles in sets for s in shingles]
    if not flat:
        return np.zeros(0, dtype=np.uint32), counts
    hashes = []
    for lo in range(0, len(flat), PERM_BATCH * 4):
        part = flat[lo:lo + PERM_BATCH * 4]
        h, _ = _whole_hashes(part)
        hashes.append(h)
    return np.concatenate(hashes), counts


def _whole_hashes(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Base hash of each string taken whole (an empty string hashes as empty)."""
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    codes = _code_points("".join(strings))
    starts = np.zeros(len(strings), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    prefix, up = _prefix(codes)
    h = prefix[starts + lengths] - prefix[starts] * up[lengths]
    return _finish(h), lengths


#: cells (rows × bands) banded at once: all the bands of a page's matrix in one go (band by
#: band, a page's few dozen rows cost thousands of small numpy calls, issue 7), a large
#: matrix a few bands at a time (one from 65,536 rows on), so that memory stays about the
#: matrix: a few arrays of this many 64-bit values beside it (0.5 MB each)
BAND_CELLS = 1 << 16


def band_pairs(matrix: np.ndarray, b: int, r: int, cap: int) -> np.ndarray:
    """Row pairs ``(i, j)``, ``i < j``, equal on all ``r`` rows of some band (band ``t`` is
    columns ``t·r … t·r + r - 1``), as an ``(m, 2)`` int64 array sorted and unique. In a
    bucket of more than ``cap`` rows each row is paired only with the first ``cap`` rows
    of the bucket (in row order)."""
    n = len(matrix)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    found = []
    step = max(1, BAND_CELLS // n)
    for lo in range(0, b, step):
        hi = min(b, lo + step)
        # a contiguous copy of the group's columns: read in place, each row is a cache line
        values = np.ascontiguousarray(matrix[:, lo * r:hi * r]).reshape(n, hi - lo, r)
        pairs = _band_group_pairs(values, cap)
        if pairs is not None:
            found.append(pairs)
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // n, codes % n], axis=1)


def _band_keys(values: np.ndarray) -> np.ndarray:
    """One 64-bit key per row and band of ``values`` (rows × bands × r), as bands × rows.

    Up to two rows of a band the key is the band itself (its 32-bit values side by side);
    further rows are folded in by multiplying with an odd constant, so that two bands
    agreeing on their first two rows (common for near-copies) still get different keys
    when they differ later. Unequal bands may share a key; :func:`_band_group_pairs`
    tells them apart."""
    n, g, r = values.shape
    keys = values[:, :, 0].T.astype(_U64)
    if r > 1:
        keys <<= _U64(32)
        keys |= values[:, :, 1].T
    if r > 2:
        rest = np.zeros((g, n), dtype=_U64)
        for col in range(2, r):
            rest ^= values[:, :, col].T
            rest *= _U64(0x9E3779B97F4A7C15)
        keys ^= rest
    return keys


def _band_group_pairs(values: np.ndarray, cap: int) -> np.ndarray | None:
    """Pairs (as ``i·n + j``) of rows equal on some band of ``values`` (rows × bands × r).

    Each band's keys are sorted (one 2-d ``argsort``, all bands at once); equal neighbours
    in sorted order are the only rows that can share a bucket, and they are few, so the
    buckets are built from them alone. A band where two unequal rows share a key (never
    seen in practice, but possible for r > 2) is sorted again by exact ids."""
    n, g, r = values.shape
    keys = _band_keys(values)
    order = np.argsort(keys, axis=1)
    ranked = np.take_along_axis(keys, order, axis=1)
    band, at = np.nonzero(ranked[:, 1:] == ranked[:, :-1])
    if r > 2:
        i, j = order[band, at], order[band, at + 1]
        clash = np.unique(band[np.any(values[i, band] != values[j, band], axis=1)])
        for t in clash.tolist():
            exact = np.unique(values[:, t], axis=0, return_inverse=True)[1].reshape(-1)
            order[t] = np.argsort(exact, kind="stable")
            ranked[t] = exact[order[t]]
        if len(clash):
            band, at = np.nonzero(ranked[:, 1:] == ranked[:, :-1])
    return _bucket_pairs(order, band * n + at, cap) if len(band) else None


def _bucket_pairs(order: np.ndarray, links: np.ndarray, cap: int) -> np.ndarray:
    """Pairs (as ``i·n + j``) of the buckets given by sorted rows: ``order`` (bands × n)
    lists each band's rows in sorted order; ``links`` (increasing) are the flat positions
    ``t·n + p`` where positions ``p`` and ``p + 1`` of band ``t`` hold one bucket. A bucket
    is a run of consecutive links (a band's last position never links to the next band's
    first, so runs stay in their band)."""
    n = order.shape[1]
    opens = np.ones(len(links), dtype=bool)
    opens[1:] = links[1:] != links[:-1] + 1
    first_link = np.flatnonzero(opens)
    size = np.diff(np.append(first_link, len(links))) + 1
    start = np.zeros(len(size), dtype=np.int64)  # each bucket's first member, below
    np.cumsum(size[:-1], out=start[1:])
    bucket = np.repeat(np.arange(len(size)), size)
    position = links[first_link][bucket] + np.arange(len(bucket), dtype=np.int64) - start[bucket]
    rows = order.reshape(-1)[position]
    # members of a bucket in row order (argsort's order among equal keys is arbitrary)
    rows = rows[np.lexsort((rows, bucket))]
    # member x (1 ≤ x < size) of a bucket pairs with members 0 … min(x, cap) - 1
    x_bucket = np.repeat(np.arange(len(start)), size - 1)
    x_first = np.zeros(len(start), dtype=np.int64)
    np.cumsum(size[:-1] - 1, out=x_first[1:])
    x = np.arange(len(x_bucket), dtype=np.int64) - x_first[x_bucket] + 1
    per_x = np.minimum(x, cap)
    y_of = np.repeat(np.arange(len(x)), per_x)
    y_first = np.zeros(len(x), dtype=np.int64)
    np.cumsum(per_x[:-1], out=y_first[1:])
    y = np.arange(len(y_of), dtype=np.int64) - y_first[y_of]
    base = start[x_bucket][y_of]
    i = rows[base + y]
    j = rows[base + x[y_of]]
    return i.astype(np.int64) * n + j
