"""Articles → tidy articles: a sentence printed twice inside one article is kept once.

Copies of whole blocks are gone by now; what remains are sentence runs repeated inside
other paragraphs (a block's sentences pasted at the end of a neighbour). Only repeats
*within* an article are removed: boilerplate that two articles share ("下一步,XX将继续
坚持党建引领…") stays in each. A sentence repeats when its key equals, or lies inside,
the key of an earlier sentence of the same article, or nearly equals it (edit
similarity ≥ 0.9); short sentences (under 8 characters or 4 words) are left alone.
"""

from __future__ import annotations

from rapidfuzz.distance import Indel

from .languages import Language, sentences
from .normalise import key, key_length
from .types import Article, Decision, Paragraph

STAGE = "tidy"


def _min_len(lang: Language) -> int:
    return 4 if lang.spaced else 8


def tidy(articles: tuple[Article, ...], lang: Language) -> tuple[tuple[Article, ...], tuple[Decision, ...]]:
    out, decisions = [], []
    for article in articles:
        seen: list[str] = []
        paragraphs = []
        for para in article.paragraphs:
            kept_pieces = []
            for piece in sentences(para.text, lang):
                k = key(piece, lang)
                if key_length(k, lang) >= _min_len(lang) and _repeats(k, seen):
                    decisions.append(Decision(STAGE, para.blocks[-1], "trimmed",
                                              f"sentence already in this article: {piece.strip()[:60]!r}",
                                              article=article.region or article.title))
                    continue
                kept_pieces.append(piece)
                if key_length(k, lang) >= _min_len(lang):
                    seen.append(k)
            text = "".join(kept_pieces).strip()
            if not text:
                for b in para.blocks:
                    decisions.append(Decision(STAGE, b, "copy", "every sentence already in this article",
                                              article=article.region or article.title))
                continue
            paragraphs.append(para if text == para.text else Paragraph(text, para.blocks, para.kind))
        out.append(Article(article.region, article.title, tuple(paragraphs), article.title_blocks, article.lang))
    return tuple(out), tuple(decisions)


def _repeats(k: str, seen: list[str]) -> bool:
    for s in seen:
        if k == s or k in s:
            return True
        if abs(len(k) - len(s)) <= 0.2 * max(len(k), len(s)) and Indel.normalized_similarity(k, s) >= 0.9:
            return True
    return False
