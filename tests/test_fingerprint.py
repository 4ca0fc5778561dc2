"""The fast fingerprint path (cleaner/minhash.py behind cleaner/fingerprint.py).

Signatures must be datasketch's, bit for bit, for the same base hash and seed; datasketch's
LSH and Jaccard must accept them; planted near-duplicates must come out as candidates
(checked within tolerance bands, no hash values pinned); and the result must not depend
on how the work is cut into pieces. Speed is measured by benchmarks/speed.py, not here.
"""
from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import fingerprint, minhash
from cleaner.languages import EN, ZH
from cleaner.normalise import key, shingles

import damage

ALPHABET = "甲乙丙丁戊己庚辛 ab c\u00e9\U0001f600"


def _datasketch(keys, num_perm, size, lang):
    """datasketch's own MinHash of each key's shingle set, with our base hash."""
    out = []
    for k in keys:
        m = MinHash(num_perm=num_perm, seed=fingerprint.SEED, hashfunc=minhash.base_hash)
        m.update_batch(sorted(shingles(k, lang, size, size)))
        out.append(m.hashvalues)
    return np.array(out, dtype=np.uint32).reshape(len(keys), num_perm)


def _corpus_paragraphs(lang):
    return [key(p, lang) for a in damage.load_corpus(lang.code) for p in a["paragraphs"]]


# ---------------------------------------------------------------- equal to datasketch


def test_permutations_are_datasketch_affine32():
    for num_perm, seed in ((128, 1), (7, 42)):
        a, b = minhash.permutations(num_perm, seed)
        theirs = MinHash(num_perm=num_perm, seed=seed)
        assert theirs.scheme == "affine32"
        assert (theirs.permutations[0] == a).all() and (theirs.permutations[1] == b).all()


@settings(max_examples=60)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=40), max_size=12),
       st.sampled_from([(False, 5), (True, 3), (False, 1), (True, 1), (False, 2)]))
def test_signatures_equal_datasketch_for_the_same_hash_and_seed(keys, shape):
    words, size = shape
    lang = EN if words else ZH
    ours = fingerprint.signature_matrix(keys, 16, size=size, words=words)
    assert ours.dtype == np.uint32 and ours.shape == (len(keys), 16)
    assert (ours == _datasketch(keys, 16, size, lang)).all()


@pytest.mark.parametrize("lang, words, size", [(ZH, False, 5), (EN, True, 3)])
def test_corpus_signatures_equal_datasketch(lang, words, size):
    keys = _corpus_paragraphs(lang)[:60]
    ours = fingerprint.signature_matrix(keys, 128, size=size, words=words)
    assert (ours == _datasketch(keys, 128, size, lang)).all()


def test_hashing_shingles_from_sets_equals_hashing_them_from_keys():
    keys = _corpus_paragraphs(ZH)[:40] + ["", "甲"]
    sets = [shingles(k, ZH) for k in keys]
    assert (fingerprint.set_signature_matrix(sets, 64) == fingerprint.signature_matrix(keys, 64, size=5, words=False)).all()


def test_sha1_signatures_are_minhash_bulk():
    sets = [shingles(k, EN) for k in _corpus_paragraphs(EN)[:20]] + [set(), {"one"}]
    want = MinHash.bulk([[s.encode("utf-8") for s in x] for x in sets], num_perm=32, seed=fingerprint.SEED)
    got = fingerprint.signatures(sets, 32)
    assert [list(g.hashvalues) for g in got] == [list(w.hashvalues) for w in want]


def test_scheme_names_what_a_signature_depends_on():
    fast = fingerprint.scheme(fingerprint.HASH)
    assert fast["hash"] == fingerprint.HASH and fast["seed"] == fingerprint.SEED
    assert fast["permutations"] == MinHash(num_perm=1).scheme
    assert hex(minhash.POLY) in fast["hash_definition"]
    assert fingerprint.scheme()["hash"] == fingerprint.scheme(fingerprint.SHA1)["hash"] == "sha1_hash32"
    with pytest.raises(ValueError, match="unknown hash"):
        fingerprint.scheme("md5")


# ---------------------------------------------------------------- datasketch consumes them


def test_datasketch_lsh_and_jaccard_accept_our_signatures():
    keys = _corpus_paragraphs(ZH)[:30]
    near = keys[3][:40] + "换了几个字" + keys[3][45:]
    keys = keys + [near]
    matrix = fingerprint.signature_matrix(keys, 128, size=5, words=False)
    sigs = fingerprint.lean(matrix)
    lsh = MinHashLSH(threshold=0.3, num_perm=128)
    for i, sig in enumerate(sigs):
        lsh.insert(i, sig)
    assert 3 in lsh.query(sigs[-1])
    theirs = {(min(i, j), max(i, j)) for i, s in enumerate(sigs) for j in lsh.query(s) if j != i}
    assert fingerprint.candidate_pairs(matrix, 0.3, 128) == theirs
    true = len(shingles(keys[3], ZH) & shingles(near, ZH)) / len(shingles(keys[3], ZH) | shingles(near, ZH))
    assert abs(sigs[3].jaccard(sigs[-1]) - true) < 0.15
    buf = bytearray(sigs[3].bytesize())
    sigs[3].serialize(buf)
    again = LeanMinHash.deserialize(buf)
    assert again == sigs[3] and again.jaccard(sigs[3]) == 1.0


def test_candidate_pairs_from_a_matrix_or_from_minhashes_agree():
    rng = random.Random(5)
    keys = ["".join(rng.choice("甲乙丙丁戊") for _ in range(rng.randint(0, 9))) for _ in range(200)]
    matrix = fingerprint.signature_matrix(keys, 64, size=3, words=False)
    assert fingerprint.candidate_pairs(matrix, 0.5, 64) == fingerprint.candidate_pairs(fingerprint.lean(matrix), 0.5, 64)
    assert fingerprint.candidate_pairs(matrix[:1], 0.5, 64) == set()


# ---------------------------------------------------------------- planted near-duplicates


@pytest.mark.parametrize("lang, words, size", [(ZH, False, 5), (EN, True, 3)])
def test_planted_near_duplicates_are_candidates(lang, words, size):
    """Copies with a few changed units (Jaccard about 0.4-0.9) are found at threshold 0.3;
    the estimate of each pair's Jaccard lies within a band of the true value."""
    rng = random.Random(11)
    originals = [k for k in _corpus_paragraphs(lang) if len(k) > 60][:120]
    keys, planted = list(originals), []
    for n, k in enumerate(originals[:80]):
        units = k.split(" ") if words else list(k)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(units))
            units[at:at + 2] = ["替换"] if not words else ["replaced"]
        keys.append((" " if words else "").join(units))
        planted.append((n, len(keys) - 1))
    matrix = fingerprint.signature_matrix(keys, 128, size=size, words=words)
    pairs = fingerprint.candidate_pairs(matrix, 0.3, 128)
    found = sum(p in pairs for p in planted)
    assert found >= 0.97 * len(planted)
    errors = []
    for i, j in planted:
        a, b = shingles(keys[i], lang, size, size), shingles(keys[j], lang, size, size)
        errors.append(float(np.mean(matrix[i] == matrix[j])) - len(a & b) / len(a | b))
    assert abs(float(np.mean(errors))) < 0.03 and max(map(abs, errors)) < 0.2
    unrelated = len(pairs) - found
    assert unrelated < len(keys)           # the distinct paragraphs stay mostly apart


def test_a_crowded_bucket_is_capped():
    n, cap = 300, fingerprint.BUCKET_CAP
    pairs = fingerprint.candidate_pairs(fingerprint.signature_matrix(["同一段"] * n, 128, size=5, words=False), 0.3, 128)
    assert len(pairs) == cap * (cap - 1) // 2 + (n - cap) * cap
    assert all(i < cap for i, _ in pairs)


def _band_pairs_plainly(matrix, b, r, cap):
    """band_pairs' rule written one bucket at a time: rows equal on a band share its bucket;
    the x-th member of a bucket (in row order) pairs with the first min(x, cap)."""
    pairs = set()
    for t in range(b):
        buckets = {}
        for i, row in enumerate(matrix[:, t * r:(t + 1) * r].tolist()):
            buckets.setdefault(tuple(row), []).append(i)
        for members in buckets.values():
            pairs |= {(members[y], members[x]) for x in range(1, len(members)) for y in range(min(x, cap))}
    return sorted(pairs)


@pytest.mark.parametrize("b, r, cap", [(37, 3, 64), (37, 3, 2), (64, 2, 5), (5, 25, 64), (15, 1, 3)])
def test_band_pairs_follow_the_rule_even_when_keys_clash(monkeypatch, b, r, cap):
    """Rows equal on a band are paired (up to the cap), whatever the 64-bit keys the bands
    are sorted by: with every key forced into two values the exact re-sort must tell the
    bands apart (r > 2; up to two rows a key is the band itself)."""
    rng = np.random.default_rng(3)
    matrix = rng.integers(0, 3, (120, 128)).astype(np.uint32)   # values from 3: many equal bands
    copies = matrix[rng.integers(0, 120, 60)]                   # and near-copies of rows
    copies[rng.random(copies.shape) < 0.02] += 1
    matrix = np.concatenate([matrix, copies])
    want = _band_pairs_plainly(matrix, b, r, cap)
    assert want and minhash.band_pairs(matrix, b, r, cap).tolist() == [list(p) for p in want]
    if r > 2:
        real = minhash._band_keys
        monkeypatch.setattr(minhash, "_band_keys", lambda values: real(values) & np.uint64(1))
        assert minhash.band_pairs(matrix, b, r, cap).tolist() == [list(p) for p in want]


# ---------------------------------------------------------------- determinism


def test_pieces_and_batches_do_not_change_the_result(monkeypatch):
    keys = _corpus_paragraphs(EN)[:50] + ["", "a b", "x " * 40]
    want = fingerprint.signature_matrix(keys, 32, size=3, words=True)
    monkeypatch.setattr(minhash, "PIECE_CHARS", 50)
    monkeypatch.setattr(minhash, "PERM_BATCH", 7)
    assert (fingerprint.signature_matrix(keys, 32, size=3, words=True) == want).all()
    assert (fingerprint.signature_matrix(keys, 32, size=3, words=True) == want).all()


def test_signatures_do_not_depend_on_the_process():
    code = ("from cleaner import fingerprint; "
            "print(fingerprint.signature_matrix(['近年来单县紧紧围绕主线', 'the long term plan'], 8, size=2, words=False).tolist())")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(runs) == 1


# ---------------------------------------------------------------- lazy datasketch


def test_recorded_bands_are_datasketchs_choice():
    for (threshold, num_perm), want in fingerprint.BANDS.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert (lsh.b, lsh.r) == want, (threshold, num_perm)
    fingerprint.bands.cache_clear()
    assert fingerprint.bands(0.35, 128) == (lambda lsh: (lsh.b, lsh.r))(MinHashLSH(threshold=0.35, num_perm=128))


def test_cleaning_a_page_does_not_import_datasketch():
    code = ("import sys; import cleaner.cli, cleaner.batch; from cleaner import DEFAULT, clean_text; "
            "from cleaner.render import dumps, report; "
            "r = clean_text('近年来单县紧紧围绕主线。' * 20 + '\\n\\n' + '近年来单县紧紧围绕主线。' * 20); "
            "dumps(report(r, DEFAULT)); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('datasketch', 'scipy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_scheme_reports_datasketchs_version_without_importing_it():
    import datasketch
    fingerprint._datasketch_version.cache_clear()
    assert fingerprint.scheme()["version"] == datasketch.__version__
