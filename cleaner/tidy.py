"""Articles → tidy articles: a sentence printed twice inside one article is kept once,
and a section heading that drifted above the wrong paragraphs goes back down.

Copies of whole blocks are gone by now; what remains are sentence runs repeated inside
other paragraphs (a block's sentences pasted at the end of a neighbour). Only repeats
*within* an article are removed: boilerplate that two articles share ("下一步,XX将继续
坚持党建引领…") stays in each. A sentence repeats when its key equals, or lies inside,
the key of an earlier sentence of the same article, or nearly equals it (edit
similarity ≥ 0.9); short sentences (under 8 characters or 4 words) are left alone.

A drifted heading ("强化治理环境…" printed above three items of the section before it)
is recognised where the language has item paragraphs with a lead phrase ("资金整合投入,
实现示范引领。…"): a heading must open its section with an introduction, so when the
paragraphs under it are items and, one to three paragraphs further down, an
introduction follows that suits the heading better (not an item, names the article's
region, shares the heading's words), the heading moves down to it.
"""

from __future__ import annotations

from rapidfuzz.distance import Indel

from .languages import Language, sentences
from .normalise import key, key_length
from .types import Article, Decision, Paragraph

STAGE = "tidy"
DRIFT = 3
DRIFT_MARGIN = 1.0


def _min_len(lang: Language) -> int:
    return 4 if lang.spaced else 8


def _bigrams(text: str, lang: Language) -> set[str]:
    k = key(text, lang)
    if lang.spaced:
        return set(k.split(" "))
    return {k[i:i + 2] for i in range(len(k) - 1)}


def _intro(heading: Paragraph, para: Paragraph, region: str, lang: Language) -> float:
    """How much ``para`` reads like the introduction of ``heading``'s section."""
    score = 0.0 if lang.item_lead.match(para.text) else 1.0
    if region and key(region, lang) in key(para.text[:80], lang):
        score += 1.0
    h = _bigrams(heading.text, lang)
    if h:
        score += 2.0 * len(h & _bigrams(para.text, lang)) / len(h)
    return score


def restore_headings(article: Article, lang: Language) -> tuple[Article, list[Decision]]:
    """Move drifted section headings back above their own section's introduction."""
    if lang.item_lead is None:
        return article, []
    paras = list(article.paragraphs)
    decisions = []
    i = 0
    while i < len(paras):
        head = paras[i]
        if head.kind != "heading" or i + 1 >= len(paras) or not lang.item_lead.match(paras[i + 1].text):
            i += 1
            continue
        here = _intro(head, paras[i + 1], article.region, lang)
        best, best_d = here + DRIFT_MARGIN, 0
        for d in range(1, DRIFT + 1):
            j = i + 1 + d
            if j >= len(paras) or paras[j - 1].kind != "body" or not lang.item_lead.match(paras[j - 1].text):
                break
            if paras[j].kind != "body":
                break
            score = _intro(head, paras[j], article.region, lang)
            if score > best:
                best, best_d = score, d
        if best_d:
            moved = paras.pop(i)
            paras.insert(i + best_d, moved)
            decisions.append(Decision(STAGE, head.blocks[0], "moved",
                                      f"section heading drifted above {best_d} paragraph(s) of the previous section; "
                                      f"moved down to its introduction", article=article.region or article.title,
                                      score=round(best, 2)))
            i += best_d + 1
        else:
            i += 1
    if not decisions:
        return article, []
    return Article(article.region, article.title, tuple(paras), article.title_blocks, article.lang), decisions


def tidy(articles: tuple[Article, ...], lang: Language) -> tuple[tuple[Article, ...], tuple[Decision, ...]]:
    out, decisions = [], []
    for article in articles:
        article, moved = restore_headings(article, lang)
        decisions.extend(moved)
        name = article.region or article.title
        seen: list[tuple[str, int]] = []       # sentence key, block that prints it
        paragraphs = []
        for para in article.paragraphs:
            kept_pieces, offset, cuts = [], 0, []     # cuts: (offset, length) removed
            first_source = None
            for piece in sentences(para.text, lang):
                k = key(piece, lang)
                here = para.block_at(offset)
                source = _repeats(k, seen) if key_length(k, lang) >= _min_len(lang) else None
                if source is not None:
                    first_source = source if first_source is None else first_source
                    decisions.append(Decision(STAGE, here, "trimmed",
                                              f"sentence already in this article (block {source}): {piece.strip()[:60]!r}",
                                              other=source, article=name))
                    cuts.append((offset, len(piece)))
                else:
                    kept_pieces.append(piece)
                    if key_length(k, lang) >= _min_len(lang):
                        seen.append((k, here))
                offset += len(piece)
            text = "".join(kept_pieces).strip()
            if not text:
                for b in para.blocks:
                    decisions.append(Decision(STAGE, b, "copy", "every sentence already in this article",
                                              other=first_source, article=name))
                continue
            if text == para.text:
                paragraphs.append(para)
            else:
                # a block's part now starts earlier by what was cut before it
                starts = tuple(max(0, min(len(text), x - sum(n for at, n in cuts if at < x))) for x in para.starts)
                paragraphs.append(Paragraph(text, para.blocks, para.kind, starts))
        out.append(Article(article.region, article.title, tuple(paragraphs), article.title_blocks, article.lang))
    return tuple(out), tuple(decisions)


def _repeats(k: str, seen: list[tuple[str, int]]) -> int | None:
    """The block of an earlier sentence that ``k`` repeats, or None."""
    for s, block in seen:
        if k == s or k in s:
            return block
        if abs(len(k) - len(s)) <= 0.2 * max(len(k), len(s)) and Indel.normalized_similarity(k, s) >= 0.9:
            return block
    return None
