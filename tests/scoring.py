"""Score reassembled articles against a hand-made reference.

This is the project's own implementation of the metric described in
``../shared/eval/README.md`` (the shared ``score.py``), so that cleaner's tests never
need the shared folder. ``tests/test_scoring.py`` checks that both agree on the real
sample whenever the shared scorer is present.

    >>> gold = {"articles": [{"region": "甲县", "title": "甲县:修路",
    ...                       "paragraphs": ["甲县今年修了三条路。"]}]}
    >>> out = {"region": "甲县", "title": "甲县:修路", "paragraphs": ["甲县今年修了三条路。"]}
    >>> score(gold, [out])["mean_f1"]
    1.0
    >>> score(gold, [dict(out, title="")])["articles"]["甲县"]["recall"]  # title missing
    0.6667

Definitions (all text compared after NFKC normalisation with whitespace removed):

- f1 / precision / recall: from the longest common subsequence (LCS) of the whole
  reference article (title first) and the whole output article. The LCS length comes
  from rapidfuzz's Indel distance: ``lcs = (len(a) + len(b) - indel) / 2``.
- broken: reference sentences (6+ characters) that are not inside any one output
  paragraph, neither exactly nor fuzzily, but are inside the output read as one string.
- missing: reference sentences (6+ characters) found nowhere in the output article.
- dup: share of output characters in sentences (8+ characters) that repeat an earlier
  output sentence: one contains the other, or they are 90% alike.
- foreign: share of output characters in sentences (8+ characters) that match no
  sentence of this reference article but match one of another reference article.
- choice groups: a reference paragraph may be ``{"choice": NAME, "options": [...]}``;
  paragraphs sharing a NAME take the same option, an empty option drops the paragraph,
  and the reading with the best f1 counts.
- matching: output articles are matched to reference articles by ``region``; a
  reference article with no output of its region is matched by content against the
  outputs whose region is not a reference region.

Sentences end after 。 ! ? ; (half- or full-width: they are split after NFKC) and, for
English, after a full stop (optionally followed by closing quotes) that is followed by
whitespace and a capital letter. Two deliberate differences from the shared
``score.py``: its character class lists the ASCII ``!?;`` twice and the full-width
forms not at all, so it does not split Chinese text at ``！？；``; and it has no rule
for English full stops. Neither matters for the real sample, which uses only ``。``
and ASCII ``;``.
"""
from __future__ import annotations

import itertools
import json
import re
import sys
import unicodedata

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

FUZZY_CUTOFF = 90
"""Two strings count as the same sentence at this rapidfuzz similarity (0-100)."""

MIN_CHECKED_LEN = 6
"""Shorter reference sentences are not checked for `broken` or `missing`; fuzzy
matching of very short strings is noise."""

MIN_COUNTED_LEN = 8
"""Shorter output sentences are not counted as `dup` or `foreign`."""

_WHITESPACE = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(
    r"[。!?;]"                                  # CJK and ASCII ends (after NFKC)
    r"|\.[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z])"    # English: ". " before a capital
)


def normalise(text: str) -> str:
    """NFKC with all whitespace removed: the form every comparison uses."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into normalised sentences, dropping empty ones.

    >>> split_sentences("甲县修路。乙县建桥; 丙县! ")
    ['甲县修路。', '乙县建桥;', '丙县!']
    >>> split_sentences("The vote was 2-1. Hoffner voted no at 10 a.m. on Jan. 8.")
    ['Thevotewas2-1.', 'Hoffnervotednoat10a.m.onJan.8.']
    """
    text = unicodedata.normalize("NFKC", paragraph)
    pieces, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        pieces.append(text[start:end.end()])
        start = end.end()
    pieces.append(text[start:])
    return [s for s in (normalise(p) for p in pieces) if s]


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence of a and b."""
    if not a or not b:
        return 0
    return (len(a) + len(b) - Indel.distance(a, b)) // 2


def readings(article: dict) -> list[list[str]]:
    """Every reading of a reference article: title, then paragraphs, choices resolved.

    Readings enumerate the choice groups in sorted name order, each group's options
    in order; empty options and empty paragraphs are left out.
    """
    sizes: dict[str, int] = {}
    for para in article["paragraphs"]:
        if isinstance(para, dict):
            sizes.setdefault(para["choice"], len(para["options"]))
    names = sorted(sizes)
    result = []
    for picks in itertools.product(*(range(sizes[name]) for name in names)):
        chosen = dict(zip(names, picks))
        paragraphs = [article["title"]]
        for para in article["paragraphs"]:
            if isinstance(para, dict):
                para = para["options"][chosen[para["choice"]]]
            if para:
                paragraphs.append(para)
        result.append(paragraphs)
    return result


def output_paragraphs(article: dict) -> list[str]:
    """An output article's paragraphs, its title first unless already there."""
    if "paragraphs" in article:
        paragraphs = list(article["paragraphs"])
    else:
        text = article.get("text", "")
        paragraphs = [p for p in _BLANK_LINE.split(text) if p.strip()]
    title = article.get("title") or ""
    if title and not (paragraphs and normalise(paragraphs[0]) == normalise(title)):
        paragraphs = [title] + paragraphs
    return paragraphs


def _f1(lcs: int, gold_len: int, out_len: int) -> float:
    return 2 * lcs / (gold_len + out_len) if gold_len + out_len else 1.0


def _fuzzy_in(sentence: str, text: str) -> bool:
    """The sentence is in the text, exactly or (6+ characters) 90% alike."""
    if sentence in text:
        return True
    return len(sentence) >= MIN_CHECKED_LEN and fuzz.partial_ratio(sentence, text) >= FUZZY_CUTOFF


def _close_to_any(sentence: str, pool: list[str]) -> bool:
    """One of pool contains the sentence or is contained in it, or is 90% alike."""
    if any(sentence in other or other in sentence for other in pool):
        return True
    if not pool:
        return False
    best = process.extractOne(sentence, pool, scorer=fuzz.partial_ratio,
                              processor=None, score_cutoff=FUZZY_CUTOFF)
    return best is not None


def _repeats(sentence: str, earlier: list[str]) -> bool:
    """The sentence repeats (or is a cut-down copy of) one of the earlier sentences."""
    if any(sentence in other or other in sentence for other in earlier):
        return True
    if not earlier:
        return False
    best = process.extractOne(sentence, earlier, scorer=fuzz.ratio,
                              processor=None, score_cutoff=FUZZY_CUTOFF)
    return best is not None


def _count_broken_and_missing(gold_paras: list[str], out_paras: list[str]) -> tuple[int, int]:
    """(broken, missing) reference sentences; see the module docstring."""
    out_norm = [normalise(p) for p in out_paras]
    whole = "".join(out_norm)
    broken = missing = 0
    for para in gold_paras:
        for sentence in split_sentences(para):
            if len(sentence) < MIN_CHECKED_LEN or any(sentence in p for p in out_norm):
                continue
            if sentence in whole:
                broken += 1
            elif any(_fuzzy_in(sentence, p) for p in out_norm):
                continue
            elif _fuzzy_in(sentence, whole):
                broken += 1
            else:
                missing += 1
    return broken, missing


def _count_dup_and_foreign(gold_paras: list[str], out_paras: list[str],
                           other_sentences: list[str]) -> tuple[int, int]:
    """Output characters in repeated sentences and in other articles' sentences."""
    own = [s for p in gold_paras for s in split_sentences(p) if len(s) >= MIN_COUNTED_LEN]
    others = [s for s in other_sentences if len(s) >= MIN_COUNTED_LEN]
    earlier: list[str] = []
    dup = foreign = 0
    for para in out_paras:
        for sentence in split_sentences(para):
            if len(sentence) < MIN_COUNTED_LEN:
                continue
            if _repeats(sentence, earlier):
                dup += len(sentence)
            earlier.append(sentence)
            if not _close_to_any(sentence, own) and _close_to_any(sentence, others):
                foreign += len(sentence)
    return dup, foreign


def score_article(gold_paras: list[str], out_paras: list[str],
                  other_sentences: list[str]) -> dict:
    """All figures for one reference reading against one output article."""
    gold = "".join(normalise(p) for p in gold_paras)
    out = "".join(normalise(p) for p in out_paras)
    lcs = lcs_length(gold, out)
    broken, missing = _count_broken_and_missing(gold_paras, out_paras)
    dup, foreign = _count_dup_and_foreign(gold_paras, out_paras, other_sentences)
    return {
        "f1": round(_f1(lcs, len(gold), len(out)), 4),
        "recall": round(lcs / len(gold), 4) if gold else 1.0,
        "precision": round(lcs / len(out), 4) if out else 0.0,
        "gold_chars": len(gold),
        "out_chars": len(out),
        "broken": broken,
        "missing": missing,
        "dup": round(dup / len(out), 4) if out else 0.0,
        "foreign": round(foreign / len(out), 4) if out else 0.0,
    }


def _best_pair(variants: list[list[str]], candidates: list[list[str]]):
    """The (reading, output) pair with the highest f1; the first one wins ties."""
    best, best_f1 = (variants[0], []), -1.0
    for out in candidates or [[]]:
        out_text = "".join(normalise(p) for p in out)
        for reading in variants:
            gold_text = "".join(normalise(p) for p in reading)
            f1 = _f1(lcs_length(gold_text, out_text), len(gold_text), len(out_text))
            if f1 > best_f1:
                best, best_f1 = (reading, out), f1
    return best


def score(gold: dict, outputs: list[dict]) -> dict:
    """Score output articles against a reference; same report as the shared score.py.

    ``gold`` is ``{"articles": [{"region", "title", "paragraphs"}]}``; ``outputs`` are
    dicts with ``region``, ``title`` and ``paragraphs`` (or ``text``).
    """
    variants = {a["region"]: readings(a) for a in gold["articles"]}
    sentences_of = {
        region: {s for reading in vs for p in reading for s in split_sentences(p)}
        for region, vs in variants.items()
    }
    by_region: dict[str, list[list[str]]] = {}
    for article in outputs:
        by_region.setdefault(article.get("region") or "", []).append(output_paragraphs(article))
    unmatched = [paras for region, group in by_region.items() if region not in variants
                 for paras in group]

    articles = {}
    for region, vs in variants.items():
        candidates, matched_by = by_region.get(region), "region"
        if not candidates:
            candidates, matched_by = unmatched, "content"
        others = sorted(set().union(*(sentences_of[r] for r in variants if r != region)))
        reading, out = _best_pair(vs, candidates)
        result = score_article(reading, out, others)
        result["matched_by"] = matched_by if candidates else "none"
        if len(by_region.get(region, [])) > 1:
            result["split_into"] = len(by_region[region])
        articles[region] = result

    figures = list(articles.values())
    weight = sum(a["gold_chars"] for a in figures) or 1
    return {
        "articles": articles,
        "extra_articles": len(unmatched),
        "mean_f1": round(sum(a["f1"] for a in figures) / len(figures), 4),
        "weighted_f1": round(sum(a["f1"] * a["gold_chars"] for a in figures) / weight, 4),
        "total_broken": sum(a["broken"] for a in figures),
        "total_missing": sum(a["missing"] for a in figures),
        "max_dup": max(a["dup"] for a in figures),
        "max_foreign": max(a["foreign"] for a in figures),
    }


def main(argv: list[str]) -> int:
    """``python tests/scoring.py GOLD.json OUTPUT.jsonl``: print the report as JSON."""
    if len(argv) != 3:
        print("usage: python tests/scoring.py GOLD.json OUTPUT.jsonl", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        gold = json.load(f)
    with open(argv[2], encoding="utf-8") as f:
        outputs = [json.loads(line) for line in f if line.strip()]
    print(json.dumps(score(gold, outputs), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
