"""Fuzzing the whole pipeline with pages built from real page pieces (hypothesis).

A page is a run of pieces — blocks of samples/heze_page.txt, titles and paragraphs of the
corpus articles (tests/corpus), continuation markers, cut-off pieces, random unicode,
control characters and empty lines — joined by blank lines, single newlines or CRLF.
Whatever comes out of that, cleaning it must:

- raise nothing (``clean_bytes`` may refuse bytes with one :class:`CleanerError`);
- give the same result twice;
- give every block a fate (``cleaner.render.report``);
- render to JSON Lines with exactly one record per line, for every line-splitting reader.

Past failures live in ``tests/fuzz_regressions/*.txt`` (each the page as UTF-8, exactly)
and are replayed on every run. When this test fails, hypothesis prints the page: save it
there with ``save_regression`` (below) and fix the bug, or list the file in
``tests/fuzz_regressions/xfail.json`` with the reason, so that it stays a strict xfail
until fixed. ``HYPOTHESIS_PROFILE=explore`` draws ten times as many fresh pages.
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import CleanerError, clean_bytes, clean_text
from cleaner.config import DEFAULT
from cleaner.render import article_record, dumps, report, to_markdown, to_text

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
REGRESSIONS = TESTS / "fuzz_regressions"
FATES = {"kept", "copy", "joined", "marker", "empty", "title"}

MARKERS = ["(上接B6版)", "(下转第3版)", "上接第二版", "(接第2版 转载)", "下转A2版", "(续见第4页)",
           "Continued from Page A1", "(Continued on Page A6)", "See BUDGET, Page 3", "Cont. from P. 2",
           "Continued on Page", "(上接", "转第版"]
CONTROLS = "\x00\x01\x07\x08\t\x0b\x0c\x0e\x1b\x1c\x1d\x1e\x1f\x7f\x85\xa0\u2028\u2029\u200b\u200d\ufeff\u3000\r"
SEPARATORS = ["\n\n", "\n", "\n\n\n", " \n\n", "\r\n\r\n", "\n \n", "\n\u3000\n"]


def budget(examples: int) -> settings:
    scale = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "explore" else 1
    return settings(max_examples=examples * scale)


@lru_cache(maxsize=None)
def real_pieces() -> tuple[str, ...]:
    """Blocks of the sample and titles and paragraphs of the corpus articles."""
    pieces = [b.strip() for b in (ROOT / "samples" / "heze_page.txt").read_text(encoding="utf-8").split("\n\n")]
    for path in sorted((TESTS / "corpus").glob("*/*.json")):
        article = json.loads(path.read_text(encoding="utf-8"))
        pieces += [article["title"], *article["paragraphs"]]
    return tuple(p for p in pieces if p)


@st.composite
def pieces(draw, earlier: list[str]) -> str:
    kind = draw(st.sampled_from(["real", "real", "real", "cut", "wrapped", "kicker", "repeat", "marker", "unicode",
                                 "controls", "empty"]))
    if kind == "repeat" and earlier:
        return draw(st.sampled_from(earlier))
    if kind == "marker":
        return draw(st.sampled_from(MARKERS))
    if kind == "unicode":
        return draw(st.text(max_size=30))
    if kind == "controls":
        return draw(st.text(alphabet=CONTROLS, max_size=6))
    if kind == "empty":
        return ""
    text = draw(st.sampled_from(real_pieces()))
    if kind == "cut" and len(text) > 1:
        at = draw(st.integers(1, len(text) - 1))
        text = text[:at] if draw(st.booleans()) else text[at:]
    elif kind == "wrapped":
        # hard-wrapped, sometimes with a word hyphenated across the line end
        width = draw(st.integers(4, 40))
        lines = [text[i:i + width] for i in range(0, len(text), width)]
        hyphen = draw(st.sampled_from(["", "-", "\u00ad"]))
        text = (hyphen + "\n").join(lines)
    elif kind == "kicker":
        region = draw(st.sampled_from(["单县", "鲁西新区", "郓城县", "ADAMS COUNTY", "York County", "X县", "../../x县"]))
        text = f"{region}{draw(st.sampled_from([':', ':', ' — ', '']))}{text[:draw(st.integers(0, 40))]}"
    return text


@st.composite
def pages(draw) -> str:
    out: list[str] = []
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 40))):
        if parts:
            out.append(draw(st.sampled_from(SEPARATORS)))
        parts.append(draw(pieces(parts)))
        out.append(parts[-1])
    return "".join(out)


def check_page(text: str) -> None:
    """Everything the fuzz test asserts about one page."""
    first = clean_text(text)
    second = clean_text(text)
    assert first == second, "the same page gave two different results"
    rep = report(first, DEFAULT)
    assert [b["index"] for b in rep["blocks"]] == [b.index for b in first.blocks]
    assert all(b["fate"] in FATES for b in rep["blocks"]), {b["fate"] for b in rep["blocks"]}
    json.dumps(rep, ensure_ascii=False)
    records = [article_record(a, first, n) for n, a in enumerate(first.articles)]
    jsonl = "".join(dumps(r) + "\n" for r in records)
    # str.splitlines also splits at U+2028, U+2029, U+0085, \v, \f and \x1c-\x1e
    assert len(jsonl.splitlines()) == len(records) == jsonl.count("\n")
    assert [json.loads(line) for line in jsonl.splitlines()] == records
    for article in first.articles:
        to_text(article), to_markdown(article)
    # the same page as bytes: decoded, split at form feeds, each page cleaned
    try:
        results = clean_bytes(text.encode("utf-8", "surrogatepass"))
    except CleanerError as err:
        assert "\n" not in str(err)
    else:
        for result in results:
            assert all(b["fate"] in FATES for b in report(result, DEFAULT)["blocks"])


@budget(60)
@given(pages())
def test_any_page_of_real_pieces_is_cleaned_deterministically_and_completely(text):
    check_page(text)


def _regressions() -> list:
    xfail = json.loads((REGRESSIONS / "xfail.json").read_text(encoding="utf-8"))
    params = []
    for path in sorted(REGRESSIONS.glob("*.txt")):
        marks = [pytest.mark.xfail(strict=True, reason=xfail[path.name])] if path.name in xfail else []
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


@pytest.mark.parametrize("path", _regressions())
def test_past_failures_stay_fixed(path):
    check_page(path.read_bytes().decode("utf-8", "surrogatepass"))


def test_every_listed_xfail_has_its_page():
    xfail = json.loads((REGRESSIONS / "xfail.json").read_text(encoding="utf-8"))
    assert all((REGRESSIONS / name).is_file() and reason for name, reason in xfail.items())


def save_regression(text: str, label: str) -> Path:
    """Store a failing page as ``tests/fuzz_regressions/<label>-<hash>.txt``."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    path = REGRESSIONS / f"{label}-{digest}.txt"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path
