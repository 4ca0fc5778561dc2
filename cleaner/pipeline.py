"""The stage order, written down once.

    repair → segment → copies → rejoin → (copies across joins → rejoin) → articles → tidy

A cut-down copy that spans a cut is only recognisable once the cut is joined, so when
such copies turn up the cuts are paired again without them.

Each stage is a pure function of the previous stages' values and returns its decisions;
``clean_text`` runs them in order and collects everything into a :class:`PageResult`.
"""

from __future__ import annotations

from . import languages
from .articles import assemble
from .config import DEFAULT, Config
from .copies import copies_across_joins, find_copies
from .errors import TooLargeError
from .reading import decode, repair, split_pages
from .rejoin import rejoin
from .segment import segment
from .tidy import tidy
from .types import PageResult

STAGES = ("repair", "segment", "copies", "rejoin", "articles", "tidy")


def clean_text(text: str, config: Config = DEFAULT, *, source: str = "", encoding: str | None = None) -> PageResult:
    """Clean one page of text into articles.

    >>> result = clean_text("单县:创建示范片区\\n\\n近年来,单县紧紧围绕主线。\\n\\n近年来,单县紧紧围绕主线。")
    >>> [(a.region, a.title, [p.text for p in a.paragraphs]) for a in result.articles]
    [('单县', '单县:创建示范片区', ['近年来,单县紧紧围绕主线。'])]
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > config.max_bytes:
        raise TooLargeError(f"page is larger than {config.max_bytes:,} bytes: split it or raise --max-bytes")
    if size > config.max_page_bytes:
        raise TooLargeError(f"page is {size:,} bytes, above the limit of {config.max_page_bytes:,} for one page: "
                            "split it into pages (form feeds between them) or raise --max-page-bytes")
    fixed, repairs = repair(text)
    lang = languages.get(config.lang, fixed)
    blocks, d_segment = segment(fixed, lang)
    if len(blocks) > config.max_blocks:
        raise TooLargeError(f"page has {len(blocks):,} blocks, above the limit of {config.max_blocks:,}: "
                            "split it into pages (form feeds between them) or raise --max-blocks")
    units, d_copies = find_copies(blocks, lang, config)
    paragraphs, d_rejoin = rejoin(blocks, units, lang)
    units, d_spanning = copies_across_joins(units, paragraphs, lang, config)
    if d_spanning:
        # the copies are gone: pair the cuts again without them
        paragraphs, d_rejoin = rejoin(blocks, units, lang)
        d_copies += d_spanning
    articles, d_articles = assemble(blocks, units, paragraphs, lang, max_placements=config.max_placements)
    articles, d_tidy = tidy(articles, lang)
    decisions = d_segment + d_copies + d_rejoin + d_articles + d_tidy
    return PageResult(fixed, lang.code, blocks, articles, decisions, source, encoding, repairs)


def clean_bytes(data: bytes, config: Config = DEFAULT, *, source: str = "", encoding: str | None = None) -> list[PageResult]:
    """Decode a dump (several pages may be separated by form feeds) and clean each page."""
    text, used = decode(data, encoding, max_bytes=config.max_bytes)
    pages = split_pages(text)
    return [clean_text(page, config, source=f"{source}#{n + 1}" if len(pages) > 1 else source, encoding=used)
            for n, page in enumerate(pages)]
