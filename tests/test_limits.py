"""Resource bounds: the guards, and the faster code paths that replaced quadratic ones
giving what the slow ones gave (or, past a documented cap, a bounded subset of it).

The times and memory themselves are measured by ``benchmarks/limits.py`` (a script: they
depend on the machine); README, "Guarantees and limits", has the table.
"""
from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import ConfigError, fingerprint
from cleaner.config import Config
from cleaner.copies import _regions_in
from cleaner.languages import EN, ZH
from cleaner.segment import join_lines
from cleaner.tidy import _repeats, _Seen

# ---------------------------------------------------------------- the guards


@pytest.mark.parametrize("name", ["max_bytes", "max_page_bytes", "max_blocks", "max_placements"])
def test_guards_must_be_positive(name):
    with pytest.raises(ConfigError, match=name):
        Config(**{name: 0})


def test_guard_defaults_leave_room_for_any_newspaper_page():
    config = Config()
    assert config.max_page_bytes <= config.max_bytes
    assert config.max_page_bytes >= 50 * 200_000          # 50 times a large page
    assert config.max_blocks >= 50_000 and config.max_placements >= 100 * 200 * 10


# ---------------------------------------------------------------- LSH buckets


def _datasketch_pairs(sigs, threshold: float, num_perm: int) -> set[tuple[int, int]]:
    """What MinHashLSH itself gives: every pair sharing a bucket in some band."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, sig in enumerate(sigs):
        lsh.insert(i, sig, check_duplication=False)
    return {(min(i, j), max(i, j)) for i, sig in enumerate(sigs) for j in lsh.query(sig) if j != i}


@pytest.mark.parametrize("threshold, num_perm", [(0.3, 128), (0.5, 64), (0.3, 16)])
def test_candidate_pairs_are_minhash_lsh_pairs(threshold, num_perm):
    rng = random.Random(num_perm)
    words = [str(n) for n in range(30)]
    found = 0
    for _ in range(20):
        sets = [{" ".join(rng.sample(words, 3)) for _ in range(rng.randint(0, 12))} for _ in range(rng.randint(2, 60))]
        sets += [set(s) for s in rng.sample(sets, min(5, len(sets)))]
        sigs = fingerprint.signatures(sets, num_perm)
        pairs = fingerprint.candidate_pairs(sigs, threshold, num_perm)
        assert pairs == _datasketch_pairs(sigs, threshold, num_perm)
        found += len(pairs)
    assert found > 100


def test_a_crowded_bucket_pairs_each_member_with_its_first_members_only():
    n, cap = 1000, fingerprint.BUCKET_CAP
    sigs = fingerprint.signatures([{"same"}] * n, 128)
    pairs = fingerprint.candidate_pairs(sigs, 0.3, 128)
    assert len(pairs) == cap * (cap - 1) // 2 + (n - cap) * cap
    assert all(i < cap for i, _ in pairs)


def test_signatures_in_batches_are_the_signatures_of_minhash_bulk():
    big = {f"shingle {n}" for n in range(3 * fingerprint.BATCH + 17)}
    sets = [big, {"a", "b"}, set()]
    encoded = [[s.encode("utf-8") for s in sorted(x)] for x in sets]
    want = MinHash.bulk(encoded, num_perm=64, seed=fingerprint.SEED)
    got = fingerprint.signatures(sets, 64)
    assert [list(g.hashvalues) for g in got] == [list(w.hashvalues) for w in want]


# ---------------------------------------------------------------- regions named in a block


@settings(max_examples=200)
@given(st.lists(st.text(alphabet="单县曹巨野区市a", max_size=4), max_size=80), st.text(alphabet="单县曹巨野区市ab", max_size=60))
def test_regions_in_a_key_are_found_the_same_way_however_many_regions(regions, k):
    regions = frozenset(regions)
    assert _regions_in(k, regions) == frozenset(r for r in regions if r and r in k)


# ---------------------------------------------------------------- repeated sentences in an article


@settings(max_examples=200)
@given(st.lists(st.text(alphabet="甲乙丙丁戊己", min_size=8, max_size=14), max_size=40))
def test_seen_sentences_answer_as_the_full_scan_does(keys):
    """Up to SCAN_ALL sentences (every real article) the index answers exactly as
    comparing with every earlier sentence did; an equal key is found first."""
    seen, plain = _Seen(), []
    for block, k in enumerate(keys):
        want = _repeats(k, plain)
        assert seen.repeats(k) == want
        if want is None:
            seen.add(k, block)
            plain.append((k, block))


def test_past_scan_all_repeats_found_are_real_and_equal_keys_always_found(monkeypatch):
    monkeypatch.setattr(_Seen, "SCAN_ALL", 10)
    rng = random.Random(0)
    keys = ["".join(rng.choice("甲乙丙丁戊己庚辛") for _ in range(rng.randint(8, 20))) for _ in range(400)]
    keys += keys[::7]
    seen, plain = _Seen(), []
    for block, k in enumerate(keys):
        found = seen.repeats(k)
        if found is None:
            assert k not in {s for s, _ in plain}, f"equal key {k!r} not found"
            seen.add(k, block)
            plain.append((k, block))
        else:
            assert _repeats(k, [(s, b) for s, b in plain if b == found]) == found


# ---------------------------------------------------------------- joining a block's lines

_HYPHEN_END = re.compile(r"([A-Za-z\u00c0-\u024f]+)[-\u00ad]$")
_WORD_START = re.compile(r"^([a-z\u00df-\u024f]+)")
_CJK_END = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef“”‘’]$")
_CJK_START = re.compile(r"^[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef“”‘’]")
_SPACE = " \t\u3000\xa0"


def _join_lines_before(lines, lang, vocab):
    """join_lines as it was before it kept pieces (quadratic on a long block)."""
    lines = [line.strip(_SPACE) for line in lines if line.strip(_SPACE)]
    if not lines:
        return "", []
    if (not lang.spaced and len(lines) > 1 and all(len(x) <= 20 for x in lines)
            and not any(lang.sentence_end.search(x) for x in lines)):
        return " ".join(lines), []
    out, notes = lines[0], []
    for line in lines[1:]:
        hyphen = _HYPHEN_END.search(out)
        start = _WORD_START.match(line)
        if hyphen and start:
            left, right = hyphen.group(1), start.group(1)
            joined, hyphenated = (left + right).lower(), f"{left}-{right}".lower()
            keep = vocab.get(hyphenated, 0) > vocab.get(joined, 0) or (
                vocab.get(joined, 0) == 0 and vocab.get(left.lower(), 0) > 0 and vocab.get(right.lower(), 0) > 0)
            if keep:
                out = out + line
                notes.append(f"{left}-{right} kept")
            else:
                out = out[:-1] + line
                notes.append(f"{left}-{right} → {left}{right}")
        elif not lang.spaced and (_CJK_END.search(out) or _CJK_START.search(line)):
            out = out + line
        else:
            out = out + " " + line
    return out, notes


@settings(max_examples=300)
@given(st.lists(st.text(alphabet="abAB-\u00ad 。单县,", max_size=12), max_size=12), st.sampled_from([EN, ZH]),
       st.dictionaries(st.sampled_from(["ab", "a-b", "ba", "b", "a", "aba"]), st.integers(0, 2)))
def test_join_lines_joins_as_before(lines, lang, vocab):
    assert join_lines(lines, lang, Counter(vocab)) == _join_lines_before(lines, lang, Counter(vocab))


# ---------------------------------------------------------------- joining cut paragraphs

_HYPHEN = re.compile(r"([A-Za-z\u00c0-\u024f]+)-$")
_FIRST_WORD = re.compile(r"^([A-Za-z\u00c0-\u024f]+)")


def _text_join_before(head, tail, lang, words):
    """rejoin._text_join as it was before it joined onto pieces (quadratic on a long chain)."""
    if not lang.spaced:
        return head + tail
    hyphen, first = _HYPHEN.search(head.rstrip()), _FIRST_WORD.match(tail.lstrip())
    if hyphen and first:
        left, right = hyphen.group(1), first.group(1)
        if words.get(f"{left}-{right}".lower()) and not words.get((left + right).lower()):
            return head.rstrip() + tail.lstrip()
        return head.rstrip()[:-1] + tail.lstrip()
    return head.rstrip() + " " + tail.lstrip()


@settings(max_examples=300)
@given(st.lists(st.text(alphabet="ab-  \t\u3000\n.单", max_size=8), min_size=1, max_size=8), st.sampled_from([EN, ZH]),
       st.dictionaries(st.sampled_from(["ab", "a-b", "ba", "b-a", "aa"]), st.integers(0, 2)))
def test_joining_onto_pieces_gives_the_text_joining_strings_gave(texts, lang, words):
    from cleaner.rejoin import _Junctions, _Pieces, _text_join

    junctions = _Junctions([], lang)
    junctions.words = Counter(words)
    pieces, text = _Pieces(texts[0]), texts[0]
    for tail in texts[1:]:
        _text_join(pieces, tail, lang, junctions)
        text = _text_join_before(text, tail, lang, words)
        assert str(pieces) == text and len(pieces) == len(text)
