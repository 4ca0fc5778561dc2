"""Invariants over generated pages (hypothesis): deterministic, nothing lost, idempotent,
never worse than the input.

Pages are built from pieces of the corpus articles (tests/corpus): each article keeps its
lede and a run of its later paragraphs, then the damage simulator (tests/damage.py)
breaks the page. A page is drawn as a plain *spec* — language, regions, paragraph runs,
damage seed — so that a failing case can be pinned with ``@example`` and rebuilt exactly.

Example counts are modest so that the whole suite stays under a minute; run more with
``HYPOTHESIS_PROFILE=explore python -m pytest tests/test_properties.py``.
"""
from __future__ import annotations

import os
from functools import lru_cache

import damage
import pytest
import quality
import scoring
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cleaner import clean_bytes, clean_text
from cleaner.config import DEFAULT
from cleaner.languages import ends_sentence, get, sentences
from cleaner.normalise import key
from cleaner.render import article_record, report, to_text


def budget(examples: int) -> settings:
    """Hypothesis settings with ``examples`` examples, ten times more when exploring."""
    scale = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "explore" else 1
    return settings(max_examples=examples * scale)


#: longest run of paragraphs taken from one article: pages stay small and quick to clean
MAX_RUN = 6

FATES = {"kept", "copy", "joined", "marker", "empty", "title"}
CARRIERS = {"kept", "joined", "title"}


@lru_cache(maxsize=None)
def corpus(lang: str) -> dict[str, dict]:
    """The corpus of ``lang`` by region (one article per region)."""
    by_region: dict[str, dict] = {}
    for article in damage.load_corpus(lang):
        by_region.setdefault(article["region"], article)
    return by_region


def piece(article: dict, start: int, length: int) -> dict:
    """The article cut down to its lede and ``length`` paragraphs from ``start`` on; a
    section heading left at the end (with none of its section) is dropped too."""
    keep = [0] + [i for i in range(1, len(article["paragraphs"])) if start <= i < start + length]
    headings = set(article.get("headings") or [])
    while len(keep) > 1 and keep[-1] in headings:
        keep.pop()
    return dict(article, paragraphs=[article["paragraphs"][i] for i in keep],
                headings=[n for n, i in enumerate(keep) if i in headings])


@st.composite
def specs(draw, min_articles: int = 2, max_articles: int = 3):
    """(lang, ((region, start, length), …), seed): a page, as plain data."""
    lang = draw(st.sampled_from(["zh", "en"]))
    regions = sorted(r for r in corpus(lang) if r)
    chosen = draw(st.lists(st.sampled_from(regions), min_size=min_articles, max_size=max_articles, unique=True))
    parts = []
    for region in chosen:
        size = len(corpus(lang)[region]["paragraphs"])
        start = draw(st.integers(1, size - 2))
        length = draw(st.integers(2, min(MAX_RUN, size - start)))
        parts.append((region, start, length))
    return lang, tuple(parts), draw(st.integers(0, 2**32 - 1))


def articles_of(spec) -> list[dict]:
    lang, parts, _ = spec
    return [piece(corpus(lang)[region], start, length) for region, start, length in parts]


def damaged(spec) -> damage.DamagedPage:
    lang, _, seed = spec
    return damage.damage_page(articles_of(spec), seed, lang)


def undamaged(spec) -> tuple[str, dict]:
    """The articles laid out as a clean page: title, then one block per paragraph."""
    articles = articles_of(spec)
    page = "\n\n".join("\n\n".join([a["title"], *a["paragraphs"]]) for a in articles) + "\n"
    return page, {"articles": [{"region": a["region"], "title": a["title"], "paragraphs": a["paragraphs"]}
                               for a in articles]}


def flat(text: str, lang) -> str:
    """A matching key without spaces: hyphen mends and line joins do not matter."""
    return key(text, lang).replace(" ", "")


def snapshot(result) -> tuple:
    return result.articles, result.decisions, result.blocks


# ---------------------------------------------------------------- deterministic

@budget(12)
@given(specs())
def test_same_page_twice_same_result(spec):
    text = damaged(spec).text
    first = clean_text(text)
    again = clean_text(text)
    assert snapshot(first) == snapshot(again)
    # the same page twice in one dump: both copies come out the same as the page alone
    pages = clean_bytes((text + "\f" + text).encode("utf-8"))
    assert len(pages) == 2
    assert snapshot(pages[0])[:2] == snapshot(pages[1])[:2] == snapshot(first)[:2]


# ---------------------------------------------------------------- nothing lost

def fates_of(text: str):
    result = clean_text(text)
    blocks = report(result, DEFAULT)["blocks"]
    assert [b["index"] for b in blocks] == [b.index for b in result.blocks]
    return result, {b["index"]: b for b in blocks}


def check_fates(text: str) -> None:
    """Every block has a fate; kept and joined text is in its article, except what a
    recorded trim took; a title block names its article."""
    result, fate = fates_of(text)
    lang = get(result.lang)
    for entry in fate.values():
        assert entry["fate"] in FATES, entry
        if entry["fate"] == "title":
            assert "article" in entry, entry
        if entry["fate"] not in ("kept", "joined"):
            continue
        assert "article_number" in entry, entry
        article = result.articles[entry["article_number"]]
        whole = flat(article.title + "\n".join(p.text for p in article.paragraphs), lang)
        block = result.blocks[entry["index"]]
        # tidy records a trim on the last block of a joined paragraph, whichever block
        # held the sentence (see test_tidy.py), so a trim counts for the whole paragraph
        paragraph = next(p for p in article.paragraphs if block.index in p.blocks)
        trimmed = any(note.startswith("trimmed") for b in paragraph.blocks for note in fate[b].get("notes", []))
        if not trimmed:
            # offsets point into the repaired text (ftfy may change lengths: "ﬁ" → "fi")
            assert flat(result.text[block.start:block.end], lang) in whole, entry
        pieces = sentences(block.text, lang)
        for n, sentence in enumerate(pieces):
            # a trim drops a repeated sentence (still in the article) or an unfinished end
            if trimmed and n == len(pieces) - 1 and not ends_sentence(sentence, lang):
                continue
            assert flat(sentence, lang) in whole, (entry, sentence)


def check_copy_links(text: str) -> None:
    """Every copy names the block that carries its text, and that block is in the output."""
    _, fate = fates_of(text)
    for entry in fate.values():
        if entry["fate"] == "copy":
            assert "copy_of" in entry, entry
            assert fate[entry["copy_of"]]["fate"] in CARRIERS, (entry, fate[entry["copy_of"]])


@budget(20)
@given(specs())
def test_every_block_has_a_fate_and_kept_text_is_in_an_article(spec):
    check_fates(damaged(spec).text)


@budget(20)
@given(specs())
@example(("zh", (("东明县", 1, 3), ("临朐县", 1, 2)), 4))
def test_every_copy_points_at_a_block_in_the_output(spec):
    check_copy_links(damaged(spec).text)


def test_every_block_of_the_sample_has_a_fate():
    check_fates(quality.sample_text())
    check_copy_links(quality.sample_text())


# ---------------------------------------------------------------- idempotent

def check_idempotent(text: str) -> None:
    for article in clean_text(text).articles:
        if not article.title:
            continue  # an untitled lead-in has no title to come back with
        again = clean_text(to_text(article)).articles
        assert [(a.title, [p.text for p in a.paragraphs]) for a in again] == [
            (article.title, [p.text for p in article.paragraphs])]


@pytest.mark.xfail(strict=True, reason="a first-pass mistake does not survive a second pass: a cut head left "
                                       "unjoined ('今年以来，山东省' before '潍坊市临朐县…') reads as a headline, and two "
                                       "merged articles (济南市 + 沂源县) come apart; the article comes back split")
@budget(10)
@given(specs())
@example(("zh", (("东明县", 1, 2), ("临朐县", 1, 2)), 1))
@example(("zh", (("东明县", 1, 2), ("济南市", 1, 2), ("沂源县", 1, 2)), 0))
def test_cleaning_a_clean_article_gives_it_back(spec):
    check_idempotent(damaged(spec).text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cleaning_each_corpus_article_gives_it_back(lang):
    """The part of idempotence that holds today: every corpus article, cleaned alone
    and undamaged, then its output cleaned again."""
    for article in damage.load_corpus(lang):
        check_idempotent("\n\n".join([article["title"], *article["paragraphs"]]))


def test_cleaning_the_sample_articles_gives_them_back():
    check_idempotent(quality.sample_text())


# ---------------------------------------------------------------- never worse

@budget(15)
@given(specs())
@example(("zh", (("牡丹区", 1, 13), ("沂源县", 1, 8)), 0))
@example(("zh", (("临沂市", 1, 6), ("沂源县", 1, 8)), 0))
def test_undamaged_page_comes_out_unchanged(spec):
    page, gold = undamaged(spec)
    result = clean_text(page)
    scores = scoring.score(gold, [article_record(a, result, n) for n, a in enumerate(result.articles)])
    assert len(result.articles) == len(gold["articles"])
    for region, figures in scores["articles"].items():
        assert figures["f1"] >= 0.99, (region, figures)


def test_undamaged_pages_of_kicker_articles_come_out_unchanged():
    """The part of the property that holds today: kicker articles of both languages."""
    for lang, regions in (("zh", ("曹县", "巨野县", "东明县")), ("en", ("ADAMS COUNTY", "YORK COUNTY"))):
        spec = (lang, tuple((r, 1, len(corpus(lang)[r]["paragraphs"]) - 1) for r in regions), 0)
        page, gold = undamaged(spec)
        result = clean_text(page)
        assert [a.region for a in result.articles] == list(regions)
        assert [[p.text for p in a.paragraphs] for a in result.articles] == [
            a["paragraphs"] for a in gold["articles"]]
