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

from bisect import bisect_left, bisect_right
from itertools import accumulate

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
        seen = _Seen()                         # sentence keys and the blocks that print them
        paragraphs = []
        for para in article.paragraphs:
            kept_pieces, offset, cuts = [], 0, []     # cuts: (offset, length) removed
            block_at = _block_finder(para)
            first_source = None
            for piece in sentences(para.text, lang):
                k = key(piece, lang)
                here = block_at(offset)
                source = seen.repeats(k) if key_length(k, lang) >= _min_len(lang) else None
                if source is not None:
                    first_source = source if first_source is None else first_source
                    decisions.append(Decision(STAGE, here, "trimmed",
                                              f"sentence already in this article (block {source}): {piece.strip()[:60]!r}",
                                              other=source, article=name))
                    cuts.append((offset, len(piece)))
                else:
                    kept_pieces.append(piece)
                    if key_length(k, lang) >= _min_len(lang):
                        seen.add(k, here)
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
                # (cuts come in text order: what was cut before x is a prefix sum)
                ats, removed = [at for at, _ in cuts], [0, *accumulate(n for _, n in cuts)]
                starts = tuple(max(0, min(len(text), x - removed[bisect_left(ats, x)])) for x in para.starts)
                paragraphs.append(Paragraph(text, para.blocks, para.kind, starts))
        out.append(Article(article.region, article.title, tuple(paragraphs), article.title_blocks, article.lang))
    return tuple(out), tuple(decisions)


def _repeats(k: str, seen: list[tuple[str, int]]) -> int | None:
    """The block of an earlier sentence that ``k`` repeats, or None."""
    n = len(k)
    for s, block in seen:
        if k in s:          # (an equal key too)
            return block
        m = len(s)
        if abs(n - m) <= 0.2 * (n if n > m else m) and Indel.normalized_similarity(k, s) >= 0.9:
            return block
    return None


class _Seen:
    """The sentence keys kept so far in one article, in order, and the blocks printing them.

    ``repeats(k)`` is ``_repeats(k, every earlier key)``. An equal key is looked up first:
    it is then the answer, since nothing before it matched it (or it would not have been
    kept). Otherwise every earlier key is compared while the article has at most
    ``SCAN_ALL`` distinct sentences (articles on real pages have a few dozen). Past that
    (a runaway page: a 5 MB line has 50,000 sentences, and comparing each with every
    earlier one is quadratic) only these earlier keys are compared, earliest first:

    - keys holding ``k``'s least common trigram (every key that contains ``k`` holds it),
      up to ``POSTING_CAP`` keys per trigram;
    - the last ``WINDOW`` keys, where near-copies are printed in practice.

    So in such an article a near-copy of a sentence printed far back, or a sentence inside
    an earlier one made only of trigrams common on the page, can stay.
    """

    SCAN_ALL = 500
    POSTING_CAP = 64
    WINDOW = 32

    def __init__(self) -> None:
        self.keys: list[tuple[str, int]] = []
        self.first: dict[str, int] = {}              # key → position of its first printing
        self.postings: dict[str, list[int]] = {}     # trigram → positions of keys holding it

    def add(self, k: str, block: int) -> None:
        self.keys.append((k, block))
        self.first.setdefault(k, len(self.keys) - 1)
        if len(self.keys) > self.SCAN_ALL:          # the index is needed from here on
            for pos in range(len(self.keys) - 1 if self.postings else 0, len(self.keys)):
                self._index(pos)

    def _index(self, pos: int) -> None:
        k = self.keys[pos][0]
        for gram in {k[i:i + 3] for i in range(max(1, len(k) - 2))}:
            posting = self.postings.setdefault(gram, [])
            if len(posting) < self.POSTING_CAP:
                posting.append(pos)

    def repeats(self, k: str) -> int | None:
        """The block of an earlier sentence that ``k`` repeats, or None."""
        if k in self.first:
            return self.keys[self.first[k]][1]
        if len(self.keys) <= self.SCAN_ALL:
            return _repeats(k, self.keys)
        grams = [k[i:i + 3] for i in range(max(1, len(k) - 2))]
        rarest = min(grams, key=lambda g: len(self.postings.get(g, ())))
        near = range(max(0, len(self.keys) - self.WINDOW), len(self.keys))
        for pos in sorted({*self.postings.get(rarest, ()), *near}):
            found = _repeats(k, [self.keys[pos]])
            if found is not None:
                return found
        return None


def _block_finder(para: Paragraph):
    """``para.block_at``, by bisection when the starts are in order (as rejoin makes them):
    calling it for every sentence of a paragraph joined from thousands of blocks was
    quadratic (issue 4)."""
    starts = para.starts
    if len(starts) == len(para.blocks) and all(a <= b for a, b in zip(starts, starts[1:])):
        return lambda offset: para.blocks[max(0, bisect_right(starts, offset) - 1)]
    return para.block_at
