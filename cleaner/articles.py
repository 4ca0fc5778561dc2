"""Paragraphs → articles: find where each article starts, give every paragraph to one
article, and put each article's paragraphs in reading order.

1. **Titles.** A kicker ("单县:…", "ADAMS COUNTY: …") starts an article; a kicker printed
   alone takes the heading after it as its headline. A heading followed by a lede (a
   dateline, "本报讯", "近年来,…省…市…县") starts an article without a region, as does a
   heading at the very top of the page. A repeated headline is one unit; the printing
   followed by its lede is the one that starts the article.
2. **Assignment.** The page is read as a sequence of printings; a hidden-state decoder
   (Viterbi) gives each printing an article. Staying in an article is free; switching costs
   ``SWITCH`` except at a continuation marker or a visible jump (``MARKER_SWITCH``), and
   a title forces its article. The
   evidence for an article is the region it names and the vocabulary of the article's own
   anchors (title and lede) — never profiles re-estimated from our own output. A paragraph
   printed several times goes to the article most of its printings agree on.
3. **Order.** Inside each article, paragraphs are linked by how they follow each other in
   every printing (an edge seen between kept printings counts more than one seen in a copy
   run), best links first, each paragraph with one successor and one predecessor. The
   title starts the article and the lede follows it; the other runs follow, those printed
   after the title first, then those printed before it (continuations printed earlier on
   the page).
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np

from .errors import TooLargeError
from .languages import REMEMBERED, Language, comma_headline, ends_sentence, reads_as_lede, sentences
from .normalise import _key, key, key_length
from .places import place_named, plausible_place
from .types import Article, Block, Decision, Paragraph, Unit

STAGE = "articles"
#: cost of leaving an article between two printings (measured over 300 simulated pages
#: per language: 4.0 → 2.0 gave zh 0.9495 → 0.9502, en 0.9399 → 0.9422; at 1.0 the
#: sample starts to lose paragraphs to neighbouring articles)
SWITCH = 2.0
MARKER_SWITCH = 0.5
VOCAB = 30.0
TERRITORY = 0.4
RETURN = 1.0
#: what staying in the same article across a "continued from" marker costs: the text
#: after it continues an article begun elsewhere, most often not the one printed before
FROM_STAY = 3.0
ANCHOR = 2.0
VOCAB_CAP = 1.5
UNTITLED = -1
#: weight of a damaged copy's printing when a paragraph's printings vote for its article
DAMAGED = 0.5
#: weight of a printing out of context (see _copies_out_of_context) in that vote
STRAY = 0.5
log = logging.getLogger(__name__)

_STOP = frozenset("the a an of and to in for on at by with from is was are were be been has have had "
                  "that this it its as or but not will said would can could which who their they he she "
                  "we our more than also after about into over under his her its".split())


@dataclass(frozen=True)
class Title:
    """An article start: the paragraphs that make its title, its region, its lede."""

    paragraphs: tuple[int, ...]
    region: str
    text: str
    lede: int | None
    #: the lede looks like one (dateline, 本报讯, 近年来…), rather than merely following
    sure: bool = True


def _grams(text: str, lang: Language) -> Counter:
    k = key(text, lang)
    if lang.spaced:
        words = [w for w in k.split(" ") if w and w not in _STOP]
        return Counter(words + [f"{a} {b}" for a, b in zip(words, words[1:])])
    return Counter([k[i:i + 2] for i in range(len(k) - 1)] + [k[i:i + 3] for i in range(len(k) - 2)])


def _char_grams(keys: list[str]) -> tuple[np.ndarray, np.ndarray, list[int], int]:
    """``_grams`` of unspaced keys, numbered, without building a string per gram (a
    Counter of strings per paragraph was a quarter of the stage, issue 7): each key's
    distinct 2- and 3-grams in the order its ``_grams`` Counter holds them (first
    occurrence, 2-grams before 3-grams), as numbers given in order of first appearance
    on the page, as ``_Vocabulary`` numbers them; their counts; how many each key has;
    how many distinct grams the page has.

    Grams are compared as integer codes: a 2-gram of code points a, b is a·2²¹ + b, a
    3-gram (a·2²¹ + b)·2²¹ + c (code points are below 2²¹; a key's are word characters,
    never 0, so a 3-gram's code is above every 2-gram's). Two plain sorts do the work
    (numpy's stable sort, which finding first places by sorting calls for, took five
    times as long).

    >>> ids, counts, sizes, size = _char_grams(["甲乙甲乙", "", "乙甲丙"])
    >>> ids.tolist(), counts.tolist(), sizes, size
    ([0, 1, 2, 3, 1, 4, 5], [2, 1, 1, 1, 1, 1, 1], [4, 0, 3], 6)
    """
    lengths = np.fromiter(map(len, keys), dtype=np.intp, count=len(keys))
    n2, n3 = np.maximum(lengths - 1, 0), np.maximum(lengths - 2, 0)
    total = int(n2.sum() + n3.sum())
    if not total:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), [0] * len(keys), 0
    codes = _gram_codes(keys, lengths, n2, n3, total)
    owner = np.repeat(np.arange(len(keys)), n2 + n3)
    # each gram as a small number (its rank among the distinct codes), then every place
    # sorted by (gram, place): a gram's places together, in list order, so the first of
    # a run is the gram's first place and, since a key's places are consecutive, a
    # key's grams are runs within it too. (Temporaries are dropped as soon as they are
    # used: on a 5 MB page each is tens of MB.)
    by_code = np.argsort(codes)
    code_sorted = codes[by_code]
    del codes
    small = np.empty(total, dtype=np.int64)
    small[by_code] = np.concatenate([[0], np.cumsum(code_sorted[1:] != code_sorted[:-1])])
    del by_code, code_sorted
    small *= total
    small += np.arange(total)
    small.sort()
    place, gram = small % total, small // total
    del small
    new_gram = np.ones(total, dtype=bool)
    new_gram[1:] = gram[1:] != gram[:-1]
    new_pair = new_gram.copy()                          # a new (key, gram)
    new_pair[1:] |= owner[place[1:]] != owner[place[:-1]]
    # the number of each gram: how many grams are first met before its first place
    first = np.zeros(total, dtype=bool)
    first[place[new_gram]] = True
    number = (np.cumsum(first) - 1)[place[new_gram]]
    del first, new_gram
    # each key's grams at their first place in it, back in list order
    starts = np.flatnonzero(new_pair)
    del new_pair
    at = place[starts]
    del place
    held = np.zeros(total, dtype=bool)
    held[at] = True
    count_at, number_at = np.zeros(total, dtype=np.intp), np.zeros(total, dtype=np.intp)
    count_at[at] = np.diff(np.append(starts, total))
    number_at[at] = number[gram[starts]]
    places = np.flatnonzero(held)
    return number_at[places], count_at[places], np.bincount(owner[places], minlength=len(keys)).tolist(), len(number)


def _gram_codes(keys: list[str], lengths: np.ndarray, n2: np.ndarray, n3: np.ndarray, total: int) -> np.ndarray:
    """The codes of ``_char_grams``, in the order ``_grams`` lists the grams: key by key,
    its 2-grams then its 3-grams, in text order."""
    chars = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(len(keys)), lengths)
    pair = owner[:-1] == owner[1:]                      # a 2-gram starts here
    triple = pair[:-1] & pair[1:]                       # a 3-gram starts here
    begin, listed = np.cumsum(lengths) - lengths, np.cumsum(n2 + n3) - (n2 + n3)
    codes = np.empty(total, dtype=np.int64)
    at = np.flatnonzero(pair)
    codes[at - begin[owner[at]] + listed[owner[at]]] = chars[at] << 21 | chars[at + 1]
    at = np.flatnonzero(triple)
    codes[at - begin[owner[at]] + listed[owner[at]] + n2[owner[at]]] = \
        (chars[at] << 21 | chars[at + 1]) << 21 | chars[at + 2]
    return codes


class _Vocabulary:
    """A page's n-grams (``_grams`` of each paragraph) as numbers, built once per page and
    shared by ``_Shift`` and ``_emissions``: each paragraph's gram ids in the order
    ``_grams`` counts them, their counts and TF-IDF weights, and each gram's IDF. (Both
    steps built their own tables, and ``_emissions`` its dot products, from dicts of
    strings per paragraph and article: half the time of cleaning a page, issue 7.)

    Products are taken elementwise in numpy, but every sum stays Python's ``sum()`` over
    the same terms in the same order as the dict version (a gram the other side lacks adds
    a 0.0, which changes no sum of non-negative terms), so every score is the same float
    and the thresholds compared against it decide the same way."""

    def __init__(self, paragraphs: tuple[Paragraph, ...], lang: Language):
        self.lang = lang
        if lang.spaced:
            grams = [_grams(para.text, lang) for para in paragraphs]
            sizes = [len(g) for g in grams]
            total = sum(sizes)
            numbers = dict.fromkeys(chain.from_iterable(grams))      # (numbered without a Python loop)
            numbers = dict(zip(numbers, range(len(numbers))))
            self.size = len(numbers)
            self.all_ids = np.fromiter(map(numbers.__getitem__, chain.from_iterable(grams)), dtype=np.intp, count=total)
            counts = np.fromiter(chain.from_iterable(g.values() for g in grams), dtype=np.float64, count=total)
        else:
            self.all_ids, counts, sizes, self.size = _char_grams([key(para.text, lang) for para in paragraphs])
            counts = counts.astype(np.float64)
        self.bounds = [0]
        for size in sizes:
            self.bounds.append(self.bounds[-1] + size)
        self.ids = [self.all_ids[a:b] for a, b in zip(self.bounds, self.bounds[1:])]
        self.counts = [counts[a:b] for a, b in zip(self.bounds, self.bounds[1:])]
        n = len(paragraphs)
        # a paragraph's grams are distinct, so counting ids counts paragraphs; the logs
        # come from math.log, as before (numpy's log may differ in the last bit)
        logs = np.array([math.log((1 + n) / (1 + c)) for c in range(n + 1)])
        self.idf = logs[np.bincount(self.all_ids, minlength=self.size)]
        self.all_weights = counts * self.idf[self.all_ids]

    def side(self, paragraphs: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Gram ids and TF-IDF weights of some paragraphs' summed counts, grams in the
        order ``Counter.update`` would first meet them."""
        if len(paragraphs) == 1:
            q = paragraphs[0]
            return self.ids[q], self.all_weights[self.bounds[q]:self.bounds[q + 1]]
        if not paragraphs:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        ids = np.concatenate([self.ids[q] for q in paragraphs])
        counts = np.concatenate([self.counts[q] for q in paragraphs])
        if len(ids) * 16 < self.size:
            # a few paragraphs of a large page: sort their grams (work in proportion to them)
            unique, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
            totals = np.bincount(inverse.reshape(-1), weights=counts)
            order = np.argsort(first, kind="stable")
            unique = unique[order]
            return unique, totals[order] * self.idf[unique]
        # otherwise by gram id over the page's vocabulary, as dense() is, without the
        # sorts: the same sums (bincount adds in the order given) and each gram kept where
        # it is first met, at a third of the cost on a page of 51 blocks (issue 7)
        totals = np.bincount(ids, weights=counts, minlength=self.size)
        place = np.arange(len(ids))
        first = np.full(self.size, len(ids))
        np.minimum.at(first, ids, place)
        unique = ids[first[ids] == place]
        return unique, totals[unique] * self.idf[unique]

    def dense(self, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Weights by gram id, 0.0 for the grams not given."""
        out = np.zeros(self.size)
        out[ids] = weights
        return out

    def at(self, where: np.ndarray, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """``dense(ids, weights)[where]``: the weights of the grams ``where`` (``ids`` are
        distinct). Two sides small against a large page are matched by a sort instead, in
        proportion to them rather than to the page (a heading's, on a page of thousands,
        made the headline step quadratic, issue 7)."""
        if (len(where) + len(ids)) * 16 >= self.size:
            return self.dense(ids, weights)[where]
        if not len(ids):
            return np.zeros(len(where))
        order = np.argsort(ids)
        known = ids[order]
        slot = np.minimum(np.searchsorted(known, where), len(known) - 1)
        return np.where(known[slot] == where, weights[order][slot], 0.0)


def _vocabulary(page: _Page, lang: Language) -> _Vocabulary:
    """The page's shared ``_Vocabulary``, built on first use."""
    vocab = getattr(page, "_vocabulary", None)
    if vocab is None or vocab.lang is not lang:
        vocab = _Vocabulary(page.paragraphs, lang)
        page._vocabulary = vocab
    return vocab


class _Page:
    """Where each paragraph was printed, in page order."""

    def __init__(self, blocks: tuple[Block, ...], units: tuple[Unit, ...], paragraphs: tuple[Paragraph, ...]):
        self.blocks = blocks
        self.paragraphs = paragraphs
        unit_of_block = {}
        for unit in units:
            for b in unit.occurrences:
                unit_of_block[b] = unit
        para_of_unit = {}
        self.first_unit, self.last_unit = {}, {}
        for p, para in enumerate(paragraphs):
            for b in para.blocks:
                unit = unit_of_block.get(b)
                if unit is not None:
                    para_of_unit[unit.block] = p
            self.first_unit[p] = unit_of_block[para.blocks[0]].block if para.blocks[0] in unit_of_block else None
            self.last_unit[p] = unit_of_block[para.blocks[-1]].block if para.blocks[-1] in unit_of_block else None
        # reading choices made when joining (a copy's text continues a head)
        for para in paragraphs:
            for b in para.blocks:
                if b not in unit_of_block:
                    continue
        kept = {b for para in paragraphs for b in para.blocks}
        #: (paragraph, block, role, kept?) in page order; role: "first", "last", "both", "inner"; markers as (None, block, direction)
        self.seq: list[tuple[int | None, int, str, bool]] = []
        #: sequence position → the unit (kept block index) printed there
        self.unit_at: dict[int, int] = {}
        #: paragraph → the printing that stands for it once articles are assigned
        self.home: dict[int, int] = {}
        for b in blocks:
            if b.kind == "marker":
                self.seq.append((None, b.index, b.marker or "", False))
                continue
            unit = unit_of_block.get(b.index)
            if unit is None or unit.block not in para_of_unit:
                continue
            p = para_of_unit[unit.block]
            first, last = self.first_unit[p] == unit.block, self.last_unit[p] == unit.block
            role = "both" if first and last else "first" if first else "last" if last else "inner"
            self.seq.append((p, b.index, role, b.index in kept or unit.block == b.index))
            self.unit_at[len(self.seq) - 1] = unit.block
        self._jumps: frozenset[int] | None = None
        self._text = {b.index: b.text for b in blocks}
        self.positions: dict[int, list[int]] = defaultdict(list)
        for pos, (p, _b, _r, _k) in enumerate(self.seq):
            if p is not None:
                self.positions[p].append(pos)

    def settle(self, path: list[int], owner: dict[int, int], skip: frozenset[int]) -> None:
        """Let each paragraph stand at its first opening printing that lies in its own
        article's run, rather than wherever its first copy happened to be printed."""
        for p, positions in self.positions.items():
            if p not in owner:
                continue
            home = [pos for pos in positions if pos not in skip and path[pos] == owner[p]
                    and self.seq[pos][2] in ("first", "both")]
            if home:
                self.home[p] = home[0]

    def jumps(self) -> frozenset[int]:
        """Positions where the reading visibly jumps: the printing before is a paragraph
        cut off from its continuation, or this printing continues a paragraph printed
        elsewhere. The page's own flow is broken there, as at a marker."""
        # computed once per page, with each block's place in its paragraph looked up in a
        # dict: tuple.index on a paragraph of thousands of joined blocks, at every call, was
        # quadratic (issue 4)
        if self._jumps is not None:
            return self._jumps
        out = set()
        at: list[dict[int, int]] = []
        for para in self.paragraphs:
            where: dict[int, int] = {}
            for n, blk in enumerate(para.blocks):
                where.setdefault(blk, n)
            at.append(where)
        text = [pos for pos, item in enumerate(self.seq) if item[0] is not None]
        for a, b in zip(text, text[1:]):
            (p, blk, _r, _k), (q, blk2, _r2, _k2) = self.seq[a], self.seq[b]
            pa, pb = at[p], at[q]
            last_a = len(self.paragraphs[p].blocks) - 1
            cut_after = blk in pa and pa[blk] < last_a and not (p == q and blk2 in pa and pa[blk2] == pa[blk] + 1)
            cut_before = blk2 in pb and pb[blk2] > 0 and not (p == q and blk in pb and pb[blk] == pb[blk2] - 1)
            if cut_after or cut_before:
                out.add(b)
        self._jumps = frozenset(out)
        return self._jumps

    def printings_by_unit(self) -> dict[int, list[int]]:
        """Sequence positions of each unit's printings, in page order."""
        out: dict[int, list[int]] = defaultdict(list)
        for pos, unit in self.unit_at.items():
            out[unit].append(pos)
        return out

    def exact(self, pos: int) -> bool:
        """Whether the printing at ``pos`` carries its unit's text as kept (the kept block
        itself or an identical copy), rather than a damaged copy of it."""
        p, b, _role, kept = self.seq[pos]
        if kept or pos not in self.unit_at:
            return True
        unit = self.unit_at[pos]
        return "".join(self._text[b].split()) == "".join(self._text[unit].split())

    def primary(self, p: int) -> int:
        """Sequence position of a paragraph's kept printing (once articles are assigned:
        its first opening printing inside its own article's run, see ``settle``)."""
        if p in self.home:
            return self.home[p]
        blocks = set(self.paragraphs[p].blocks)
        for pos in self.positions[p]:
            if self.seq[pos][1] in blocks:
                return pos
        return self.positions[p][0]


def _neighbours(page: _Page, p: int, step: int, limit: int) -> list[int]:
    """Distinct paragraphs printed after (step=1) or before (step=-1) the kept printing of
    ``p``, kept printings only, stopping at a marker."""
    pos = page.primary(p)
    out: list[int] = []
    i = pos + step
    while 0 <= i < len(page.seq) and len(out) < limit:
        q, b, _r, _k = page.seq[i]
        i += step
        if q is None:
            break
        if q == p or q in out or b not in page.paragraphs[q].blocks:
            continue
        out.append(q)
    return out


class _Shift:
    """How much the vocabulary changes across a heading: TF-IDF cosine of the body
    paragraphs printed just before and just after it. Within an article the two sides
    share topic words (median cosine ≈ 0.07 over our corpora); across two articles they
    rarely do (median ≈ 0.02)."""

    def __init__(self, page: _Page, lang: Language):
        self.vocab = _vocabulary(page, lang)

    def cosine(self, left: list[int], right: list[int]) -> float:
        ids_a, wa = self.vocab.side(left)
        ids_b, wb = self.vocab.side(right)
        num = sum((wa * self.vocab.at(ids_a, ids_b, wb)).tolist())
        den = math.sqrt(sum((wa * wa).tolist())) * math.sqrt(sum((wb * wb).tolist()))
        return num / den if den else 1.0


def find_titles(page: _Page, lang: Language) -> list[Title]:
    """Article starts: kickers first, then headings that score as headlines."""
    paras = page.paragraphs
    titles: list[Title] = []
    used: set[int] = set()
    text_seq = [item for item in page.seq if item[0] is not None]

    def following(p: int) -> list[int]:
        return _neighbours(page, p, 1, 4)

    def once_printed(candidates: list[int]) -> int | None:
        """The first candidate printed only once: a repeated run printed right after a
        title is somebody's copy, not the article's opening."""
        return next((q for q in candidates if len(page.positions[q]) <= len(paras[q].blocks)), None)

    def lede_after(start: int) -> int | None:
        """A lede among the next two body paragraphs printed once; a repeated run (a copy
        printed right after the title) is looked through. Where the run holds a lede too
        (another article's opening, repeated), the one sharing most words with the title
        is taken: a headline sums up its own lede."""
        bodies, found = 0, []
        for q in _neighbours(page, start, 1, 10):
            repeated = len(page.positions[q]) > len(paras[q].blocks)
            if paras[q].kind != "body":
                if repeated:
                    continue
                break
            if reads_as_lede(paras[q].text, lang):
                found.append(q)
                if not repeated:
                    break
                continue
            if repeated:
                continue
            bodies += 1
            if bodies == 2:
                break
        if len(found) < 2:
            return found[0] if found else None
        words = _title_words(" ".join(paras[t].text for t in [start] if paras[t].text) or "", lang)
        return max(found, key=lambda q: (len(words & _title_words(paras[q].text, lang)), -found.index(q)))

    for p, para in enumerate(paras):
        if p in used or para.kind != "kicker":
            continue
        region = _region_of(page, p)
        parts, text = [p], para.text
        if not para.text:
            nxt = following(p)
            if nxt and paras[nxt[0]].kind == "heading":
                parts.append(nxt[0])
                text = paras[nxt[0]].text
        used.update(parts)
        sep = ": " if lang.spaced else ":"
        titles.append(Title(tuple(parts), region, f"{region}{sep}{text}" if text else region, None))

    first_text = text_seq[0][0] if text_seq else None
    claimed: set[int] = set()

    def lede_before(p: int, through_headings: bool = False) -> int | None:
        """A lede printed shortly before its headline (the headline placed after part of
        its body), with no other title in between; a kicker's displaced opening may hold
        section headings too."""
        for q in _neighbours(page, p, -1, 5 if through_headings else 12):
            if q in used or paras[q].kind == "kicker":
                return None
            if paras[q].kind != "body":
                if through_headings:
                    continue
                return None
            if q not in claimed and reads_as_lede(paras[q].text, lang):
                # a lede also printed right under another heading that sums it up
                # better belongs to that one
                return None if printed_under_another(q, p) else q
        return None

    def summed_up_below(p: int, lede: int) -> bool:
        """A heading printed a little further down sums ``lede`` up better than ``p``:
        ``p`` is the first section's heading, the headline was printed after it."""
        words = _title_words(paras[lede].text, lang)
        mine = len(words & _title_words(paras[p].text, lang))
        return any(paras[q].kind == "heading" and _sums_up(paras[q].text, paras[lede].text, lang)
                   and len(words & _title_words(paras[q].text, lang)) > mine for q in _neighbours(page, p, 1, 4))

    def summed_up_opening(p: int, after: list[int]) -> int | None:
        """Among the dozen paragraphs printed before ``p`` (back to a heading or a title),
        the nearest stretch that ``p`` sums up, where none printed right after it is summed
        up; its first paragraph is the opening of a run printed before its headline."""
        if len(_title_words(paras[p].text, lang)) < 4 or any(_sums_up(paras[p].text, paras[q].text, lang) for q in after):
            return None      # (a short section heading sums up too much)
        first = None
        for q in _neighbours(page, p, -1, 12):
            if q in used or paras[q].kind != "body":
                break
            if q not in claimed and _sums_up(paras[p].text, paras[q].text, lang):
                first = q
            elif first is not None:
                break
        return first

    def printed_under_another(q: int, p: int) -> bool:
        words = _title_words(paras[q].text, lang)
        mine = len(words & _title_words(paras[p].text, lang))
        for pos in page.positions[q]:
            prev = page.seq[pos - 1][0] if pos > 0 else None
            if (prev is not None and prev != p and paras[prev].kind in ("heading", "kicker")
                    and len(words & _title_words(paras[prev].text, lang)) > mine):
                return True
        return False


    # each kicker's lede: a lede-like paragraph after it, else one just before it (the
    # headline printed after part of its body), else simply the next paragraph
    for n, title in enumerate(titles):
        last = title.paragraphs[-1]
        lede = lede_after(last)
        if lede is None or lede in claimed:
            lede = lede_before(title.paragraphs[0], through_headings=True)
        sure = lede is not None
        if lede is None:
            nxt = following(last)
            bodies = [q for q in _neighbours(page, last, 1, 6) if paras[q].kind == "body" and q not in claimed]
            lede = once_printed(bodies) or (nxt[0] if nxt and paras[nxt[0]].kind == "body" and nxt[0] not in claimed else None)
            # an opening without a dateline is as sure when the headline sums it up
            sure = lede is not None and _sums_up(title.text, paras[lede].text, lang)
        if lede is not None:
            claimed.add(lede)
        titles[n] = Title(title.paragraphs, title.region, title.text, lede, sure)
    shift = _Shift(page, lang)
    regions = [key(t.region, lang) for t in titles if t.region]

    headings = [q for q, para in enumerate(paras) if q not in used and para.kind == "heading"]
    parallels = _Parallels([paras[q].text for q in headings], lang)
    # a headline with a comma is a body block (segment) left unjoined (rejoin)
    comma_heads = {q for q, para in enumerate(paras) if q not in used and para.kind == "body"
                   and len(para.blocks) == 1 and comma_headline(para.text, lang)}
    for p, para in enumerate(paras):
        if p in used or para.kind != "heading" and p not in comma_heads:
            continue
        after = [q for q in following(p) if paras[q].kind == "body"][:3]
        ceded = False
        if not after:
            continue
        before = [q for q in _neighbours(page, p, -1, 4) if paras[q].kind == "body"][:3]
        why: dict[str, float] = {}
        lede = lede_after(p)
        if lede in claimed:
            lede = None
        if lede is not None:
            why["lede after"] = 3.0
        elif lede_before(p) is not None and not (ceded := summed_up_below(p, lede_before(p))):
            lede = lede_before(p)
            why["lede before"] = 3.0
        else:
            # a headline printed after its lede and its first section (a section heading
            # between them): taken when it sums the lede up, sharing much of its wording
            far = lede_before(p, through_headings=True)
            if far is not None and _sums_up(para.text, paras[far].text, lang):
                lede = far
                why["sums up a lede before"] = 3.0
            elif (opening := summed_up_opening(p, after)) is not None:
                # a lede without a dateline printed before its headline ("Leaders of seven
                # volunteer fire companies…" under "Fire companies ask for shared funding…")
                lede = opening
                why["sums up an opening before"] = 2.0
        if p == first_text:
            why["top of page"] = 3.0
        if parallels.built_like(para.text):
            why["parallel to another heading"] = -2.0
        # (an opening before it that a headline below sums up is that headline's)
        if _opens_on_new_place(page, p, after, [] if ceded else before, regions, lang):
            why["opening names a new place"] = 1.5
        if not regions:
            why["no kickers"] = 1.5      # a page without kickers: its headings are mostly headlines
        if before:
            cos = shift.cosine(before, after)
            why["vocabulary shift"] = 2.0 if cos < 0.03 else 1.0 if cos < 0.045 else 0.0
            named_after = {r for r in regions for q in after if r in key(paras[q].text, lang)}
            named_before = {r for r in regions for q in before if r in key(paras[q].text, lang)}
            if named_after - named_before:
                why["continues a titled article"] = -2.0
            elif named_before and not named_after:
                why["leaves the article"] = 1.0
            elif named_after & named_before:
                why["same region both sides"] = -1.5
        else:
            why["nothing before"] = 1.0
        if lang.spaced:
            words = para.text.split()
            why["length"] = 3.0 if len(words) >= 6 else -1.5 if len(words) <= 3 else 0.0
        elif key_length(key(para.text, lang), lang) <= 10:
            why["length"] = -1.0      # a short line is more often a section's subheading
        if lang.not_headline is not None and lang.not_headline.search(para.text):
            why["not headline style"] = -3.0
        if lang.section_number is not None and lang.section_number.match(para.text):
            why["numbered like a section"] = -4.0
        score = sum(why.values())
        if log.isEnabledFor(logging.DEBUG):
            log.debug("headline? %.2f %r %s", score, para.text[:30], why)
        if score >= 3.0:
            used.add(p)
            sure = lede is not None
            if lede is None:
                lede = once_printed(after) or after[0]
                sure = _sums_up(para.text, paras[lede].text, lang)
            claimed.add(lede)
            # the place the lede names, else one the headline itself names ("…across Juniata County")
            place = place_named(paras[lede].text, paras[lede].text, lang) or _headline_place(para.text, lang)
            titles.append(Title((p,), place, para.text, lede, sure))
    titles.sort(key=lambda t: page.primary(t.paragraphs[0]))
    return titles


#: share of a headline's words found in a lede for the headline to sum it up
SUMS_UP = 0.5


def _sums_up(headline: str, lede: str, lang: Language) -> bool:
    """Whether ``headline`` sums up ``lede``: most of its words are the lede's
    ("潍坊一季度外贸进出口同比增长8.6%" / "记者从潍坊市统计局获悉，今年一季度，全市外贸进出口
    总值…同比增长8.6%"); a section heading shares a word or two."""
    words = _title_words(headline, lang)
    return bool(words) and len(words & _title_words(lede, lang)) >= SUMS_UP * len(words)


def _headline_place(text: str, lang: Language) -> str:
    """A place a headline names outright, if it is a plausible one."""
    place = place_named(text, text, lang)
    return place if plausible_place(place, lang) and len(place) < len(text) else ""


def _title_words(text: str, lang: Language) -> frozenset[str]:
    """Content words of a title or lede, for telling which lede a headline sums up:
    character pairs for unspaced scripts, five-letter word stems for spaced ones."""
    return _words_of(text, lang.spaced, lang.function_words if lang.spaced else frozenset())


@lru_cache(maxsize=REMEMBERED)
def _words_of(text: str, spaced: bool, function_words: frozenset[str]) -> frozenset[str]:
    """``_title_words``, remembered: a headline is weighed against every paragraph near
    it, and each paragraph against every heading near it (issue 7); keyed on all the
    answer depends on."""
    k = _key(text, spaced)
    if spaced:
        return frozenset(w[:5] for w in k.split() if w not in function_words and len(w) > 2)
    return frozenset(k[i:i + 2] for i in range(len(k) - 1))


def _parallel(a: str, b: str, lang: Language) -> bool:
    """Two headings built alike, as the section headings of one article are: as many
    parts, and a part in the same place opening the same way ("优化阵地布局 让服务更近" /
    "丰富服务内容 让服务更暖", "突出政治引领 打造党建新阵地" / "突出党群服务 打造…"). A
    headline is rarely built like another heading. (Parts merely as long as each other
    are not enough: "大山深处的小山村 走出一条苹果致富路" is as long as a section heading
    of another article.)

    >>> from cleaner.languages import ZH
    >>> _parallel("优化阵地布局 让服务更近", "丰富服务内容 让服务更暖", ZH)
    True
    >>> _parallel("建强党群服务阵地 打造城市幸福社区", "聚力党建综合阵地建设 筑牢基层坚实堡垒", ZH)
    False
    """
    if lang.spaced:
        return False      # English subheads are a word or three; their shape says little
    left, right = a.split(), b.split()
    if len(left) < 2 or len(left) != len(right) or a == b:
        return False
    return any(x[:2] == y[:2] for x, y in zip(left, right))


class _Parallels:
    """Whether a heading is built like one of a page's headings (``_parallel``), found by
    looking each of its parts' openings up rather than by comparing it with every heading:
    that was quadratic in the headings of a page (2,000 headings with body text under
    each took 14 s of a 15 s page, issue 7).

    ``_parallel(a, b)`` holds when ``b`` is another text with as many parts (two or more)
    and a part in the same place opening with the same two characters; so each heading
    text is filed under (parts, place, opening) for each of its parts, two distinct texts
    at most per entry (one of two distinct texts differs from any ``a``)."""

    def __init__(self, headings: list[str], lang: Language):
        self.spaced = lang.spaced
        self.shapes: dict[tuple[int, int, str], list[str]] = {}
        if lang.spaced:
            return
        for text in dict.fromkeys(headings):
            parts = text.split()
            if len(parts) < 2:
                continue
            for place, part in enumerate(parts):
                filed = self.shapes.setdefault((len(parts), place, part[:2]), [])
                if len(filed) < 2:
                    filed.append(text)

    def built_like(self, text: str) -> bool:
        """``any(_parallel(text, h, lang) for h in headings)``."""
        if self.spaced:
            return False
        parts = text.split()
        if len(parts) < 2:
            return False
        return any(other != text for place, part in enumerate(parts)
                   for other in self.shapes.get((len(parts), place, part[:2]), ()))


#: how many body paragraphs printed right before a heading may be its displaced opening
DISPLACED = 2

#: how many printings before an opening are searched for an earlier mention of its place
EARLIER = 40


def _opens_on_new_place(page: _Page, p: int, after: list[int], before: list[int], regions: list[str],
                        lang: Language) -> bool:
    """The first sentence after heading ``p`` (or, for a headline printed after its
    opening, the one just before it) names a place not mentioned in the printings before
    it: a report starts somewhere new ("初夏时节，走进沂源县的大山深处…"). A page's kicker
    regions are left to their own evidence, and an opening printed right after another
    heading is that heading's, not this one's."""
    paras = page.paragraphs
    openings = after[:1]
    # a headline printed after part of its body: its opening is one of the body
    # paragraphs printed right before it (up to DISPLACED of them, none a heading)
    run = []
    for q in (_neighbours(page, p, -1, DISPLACED) if before else []):
        if paras[q].kind != "body":
            break
        run.append(q)
    for q in run:
        pos = page.primary(q)
        prev = page.seq[pos - 1][0] if pos > 0 else None
        if prev is None or paras[prev].kind == "body":
            openings = openings + [q]
    for opening in openings:
        text = paras[opening].text
        first = (sentences(text, lang) or [text])[0]
        place = place_named(first, text, lang)
        k = key(place, lang)
        if not plausible_place(place, lang) or k in regions or first[first.find(place) + len(place):][:1] == "域":
            continue      # (…区 + 域: "打造区域品牌")
        pos = page.primary(opening)
        start = key(text, lang)[:12]
        earlier = (page.seq[i][0] for i in range(max(0, pos - EARLIER), pos))
        # (a variant of the opening itself printed earlier does not count)
        if not any(q is not None and q != opening and k in key(paras[q].text, lang)
                   and not key(paras[q].text, lang).startswith(start) for q in earlier):
            return True
    return False


def _region_of_kicker(page: _Page, title: Title) -> bool:
    return any(page.paragraphs[p].kind == "kicker" for p in title.paragraphs)


def _region_of(page: _Page, p: int) -> str:
    block = next(b for b in page.blocks if b.index == page.paragraphs[p].blocks[0])
    return block.region or ""


def _head_run(page: _Page, title: Title, own: str, regions: list[str], lang: Language,
              titled: set[int]) -> list[int]:
    """The paragraphs printed right after a title, up to the first sign that the page
    moves on (a marker, a visible jump, another title, a repeated block, a paragraph
    naming another article's region): the article's own words, read off the page."""
    jumps = page.jumps()
    out = []
    pos = page.primary(title.paragraphs[-1]) + 1
    while pos < len(page.seq):
        p, _b, _role, _kept = page.seq[pos]
        if p is None or pos in jumps or len(page.positions[p]) > 1 and p != title.lede:
            break
        if page.paragraphs[p].kind == "kicker" or p in titled:
            break
        k = key(page.paragraphs[p].text, lang)
        if any(r and r != own and r in k for r in regions):
            break
        out.append(p)
        pos += 1
    return out


def _emissions(page: _Page, titles: list[Title], lang: Language) -> list[list[float]]:
    """Score of each paragraph for each article: named regions and anchor vocabulary."""
    paras = page.paragraphs
    table = _vocabulary(page, lang)
    seeds = []
    regions = [key(t.region, lang) for t in titles]
    titled = {p for t in titles for p in t.paragraphs}
    # each paragraph's key and the regions it names, once: found again for every article,
    # against every other article's region, they made this stage cubic on a page of
    # hundreds of articles (issue 4)
    keys = [key(para.text, lang) for para in paras]
    distinct = sorted({r for r in regions if r})
    names = [{r for r in distinct if r in k} for k in keys]
    # the paragraphs naming one region and no other, by region
    naming_only: dict[str, list[int]] = defaultdict(list)
    for q, named in enumerate(names):
        if len(named) == 1:
            naming_only[next(iter(named))].append(q)
    for t, title in enumerate(titles):
        members = list(title.paragraphs) + ([title.lede] if title.lede is not None else [])
        members.extend(naming_only.get(regions[t], ()))
        members.extend(_head_run(page, title, regions[t], regions, lang, titled))
        # (the paragraphs in the order the set gives, as they were counted before)
        seeds.append(table.side(list(set(members))))
    # TF-IDF cosine of the paragraph with each article's anchor text. Measured on 60
    # simulated pages per language it puts the right article first for 83 % of
    # paragraphs (a smoothed language-model ratio managed under 50 %).
    seed_norms = [math.sqrt(sum((w * w).tolist())) or 1.0 for _ids, w in seeds]
    # each article's products with every gram printed on the page, in one numpy product
    # per article; a paragraph's dot product is the sum() of its stretch of them, in the
    # order of its grams (issue 7). (Per gram, per article holding it, that was
    # paragraphs × grams dict look-ups; through every article for every gram it had been
    # minutes on a page of a thousand articles, issue 4.)
    # One article at a time: all articles' products at once were articles × grams Python
    # floats, 3.3 GB on a page of 600 articles (benchmarks/limits.py, articles_zh).
    # Only the non-zero products are summed, in their order: the terms are never negative,
    # so the zeros between them change no sum (most of a paragraph's grams are not in an
    # article's anchors; summing all of them was a third of the step, issue 7).
    weights = table.all_weights
    squares = (weights * weights).tolist()
    bounds = list(zip(table.bounds, table.bounds[1:]))
    norms = [math.sqrt(sum(squares[start:end])) or 1.0 for start, end in bounds]
    by_article = []
    for (ids, w), sn in zip(seeds, seed_norms):
        prod = weights * table.dense(ids, w)[table.all_ids]
        held = np.flatnonzero(prod)
        terms = prod[held].tolist()
        cuts = np.searchsorted(held, table.bounds).tolist()
        by_article.append([sum(terms[start:end]) / (norm * sn) for start, end, norm in zip(cuts, cuts[1:], norms)])
    out = []
    for q, para in enumerate(paras):
        sims = [column[q] for column in by_article]
        centre = sum(sims) / len(sims) if sims else 0.0
        row = []
        for t in range(len(titles)):
            vocab = VOCAB * (sims[t] - centre)
            named = 0.0
            if regions[t] in names[q]:
                named += 3.0
            elif names[q]:          # (names another region)
                named -= 3.0
            row.append(max(-VOCAB_CAP, min(VOCAB_CAP, vocab)) + named)
        out.append(row)
    return out


def _viterbi(page: _Page, titles: list[Title], emit: list[list[float]], skip: frozenset[int] = frozenset(),
             anchors: dict[int, int] | None = None) -> list[int]:
    """Article state of each printing in ``page.seq`` (markers get the state before them).

    Printings in ``skip`` (copies printed away from their article) are transparent: they
    keep the state before them and cost nothing."""
    k = len(titles)
    states = list(range(k)) + [UNTITLED]
    forced = {}
    for t, title in enumerate(titles):
        for p in title.paragraphs:
            forced[page.primary(p)] = t
    title_paras = {p: t for t, title in enumerate(titles) for p in title.paragraphs}
    score = {s: (0.0 if s == UNTITLED else -1.0) for s in states}
    back: list[dict[int, int]] = []
    same = {s: s for s in states}      # (read only: one dict serves every transparent printing)
    cost, stay = SWITCH, 0.0
    jumps = page.jumps()
    territory = _territories(page, titles)
    for pos, (p, _b, _role, _kept) in enumerate(page.seq):
        if p is None or pos in skip:
            if p is None:
                cost = MARKER_SWITCH
                if page.seq[pos][2] == "from":
                    stay = FROM_STAY
            back.append(same)
            continue
        if pos in jumps:
            cost = MARKER_SWITCH
        new, ptr = {}, {}
        # The best state to come from, for each switch cost: the first best and the first
        # runner-up of (score - cost), found once per printing instead of once per state
        # (that was quadratic in the articles of a page, per printing). The choice is what
        # max(states, key=(score[r] - (0 if r == s else into), r == s)) gives: staying
        # wins ties, and among the others the first state in order does (issue 4).
        tops = {}
        for into in {cost, min(cost, RETURN)}:
            adj = [score[r] - into for r in states]
            tops[into] = (adj, *_two_best(adj))
        # the evidence at this printing, the same whichever state the path comes from
        if pos in forced:
            here = [0.0 if forced[pos] == s else -1e6 for s in states]
        elif anchors and pos in anchors:
            here = [ANCHOR if anchors[pos] == s else -ANCHOR for s in states]
        elif p in title_paras:
            here = [2.0 if title_paras[p] == s else -1.0 for s in states]
        else:
            here = [0.0 if s == UNTITLED else emit[p][s] + (TERRITORY if territory[pos] == s else 0.0) for s in states]
        for s, e in zip(states, here):
            if s == UNTITLED:
                best_prev, best = UNTITLED, score[UNTITLED]
            else:
                # going back to the article whose title this stretch of page is under is
                # cheaper than leaving it: a printed-in continuation ends without a marker
                into = min(cost, RETURN) if territory[pos] == s else cost
                adj, first, second = tops[into]
                other = first if states[first] != s else second
                if score[s] - stay >= adj[other]:
                    best_prev, best = s, score[s] - stay
                else:
                    best_prev, best = states[other], adj[other]
            new[s], ptr[s] = best + e, best_prev
        score, cost, stay = new, SWITCH, 0.0
        back.append(ptr)
    state = max(states, key=lambda s: (score[s], -s if s != UNTITLED else -10**9))
    path = [0] * len(page.seq)
    for pos in range(len(page.seq) - 1, -1, -1):
        path[pos] = state
        state = back[pos][state]
    return path


def _two_best(values: list[float]) -> tuple[int, int]:
    """The index of the first largest value, and of the first largest among the others
    (the first again when it is alone): ``max(range(n), key=values.__getitem__)`` and the
    same over the other indexes, with C's max() and index() doing the scans.

    >>> _two_best([1.0, 3.0, 2.0, 3.0]), _two_best([5.0])
    ((1, 3), (0, 0))
    """
    first = values.index(max(values))
    others = values[:first] + values[first + 1:]
    if not others:
        return first, first
    second = others.index(max(others))
    return first, second + (second >= first)


def _vote(page: _Page, path: list[int], emit: list[list[float]], titles: list[Title],
          skip: frozenset[int] = frozenset(), stray: frozenset[int] = frozenset()) -> dict[int, int]:
    """One article per paragraph: its printings vote (each weighted by the neighbours that
    agree with it), and the paragraph's own evidence (named region, vocabulary) votes too."""
    text_pos = [pos for pos, item in enumerate(page.seq) if item[0] is not None and pos not in skip]
    neighbours = {}
    for i, pos in enumerate(text_pos):
        neighbours[pos] = [path[text_pos[j]] for j in (i - 1, i + 1) if 0 <= j < len(text_pos)]
    out = {}
    for p in range(len(page.paragraphs)):
        votes: dict[int, float] = {}
        # the opening block of a joined paragraph speaks for it; its continuation was
        # printed wherever the page had room
        printed = [pos for pos in page.positions.get(p, []) if pos not in skip]
        openings = [pos for pos in printed if page.seq[pos][2] in ("first", "both")]
        for pos in openings or printed:
            s = path[pos]
            # a damaged copy (near, spliced, cut down) is a weaker witness than the text itself
            # (and so is a printing among another article's text while another printing
            # of it sits among its own, see _copies_out_of_context)
            weight = (1.0 if page.exact(pos) else DAMAGED) * (STRAY if pos in stray else 1.0)
            votes[s] = votes.get(s, 0) + (1.0 + neighbours[pos].count(s)) * weight
        for t, e in enumerate(emit[p]):
            votes[t] = votes.get(t, 0) + e
        if not votes:
            continue
        out[p] = max(votes, key=lambda s: (votes[s], -abs(s)))
    return out


#: how much closer to its surroundings one printing of a repeated run must be than
#: another for the other to count as a copy put there
#: (TF-IDF cosine with its neighbours; within an article the median is about 0.07,
#: across two articles about 0.02)
CONTEXT_MARGIN = 0.015
#: how far from a run its neighbours are looked for
CONTEXT_REACH = 64


def _copies_out_of_context(page: _Page, shift: "_Shift") -> frozenset[int]:
    """Printings of a repeated run whose surroundings speak of something else.

    A run of blocks printed twice sits once among its own article's text and once among
    another's. The printing whose neighbours (two text printings on each side, outside
    the run) share its vocabulary is the original; the others are copies that say
    nothing about where the text belongs, and are looked through when placing it. Only
    where the best-fitting printing and the one set aside are tidy runs (each block once,
    as an original is printed): a run that repeats its own blocks is a tangle of copies
    holding the original too, and is neither trusted nor set aside (the sample's
    "突出党群服务" section, printed whole inside 单县's article and again as a tangle
    among 鲁西新区's own text)."""
    by_unit = page.printings_by_unit()
    repeated = {pos for positions in by_unit.values() if len(positions) > 1 for pos in positions}
    if not repeated:
        return frozenset()
    run_of: dict[int, int] = {}
    runs: list[list[int]] = []
    for pos in range(len(page.seq)):
        if pos not in repeated:
            continue
        if runs and runs[-1][-1] == pos - 1:
            runs[-1].append(pos)
        else:
            runs.append([pos])
        run_of[pos] = len(runs) - 1
    score: list[float | None] = []
    tidy: list[bool] = []
    size = len(page.seq)
    for run in runs:
        inside = {page.seq[pos][0] for pos in run}
        context: list[int] = []
        for step, start in ((-1, run[0] - 1), (1, run[-1] + 1)):
            # (within CONTEXT_REACH printings: a walk past the printings of a paragraph
            # joined from thousands of blocks, for every run, made this quadratic)
            found, pos, stop = 0, start, start + step * CONTEXT_REACH
            while 0 <= pos < size and pos != stop and found < 2:
                q = page.seq[pos][0]
                if q is not None and q not in inside:
                    context.append(q)
                    found += 1
                pos += step
        score.append(shift.cosine(sorted(inside), context) if context else None)
        units = [page.unit_at[pos] for pos in run]
        tidy.append(len(units) == len(set(units)))
    out = set()
    for positions in by_unit.values():
        if len(positions) < 2:
            continue
        scores = {pos: score[run_of[pos]] for pos in positions}
        known = [v for v in scores.values() if v is not None]
        if len(known) < len(scores):
            continue
        best = max(known)
        # the original printing is a run printed in order, each block once; a run that
        # repeats its own blocks is a tangle of copies, however well its neighbours fit
        if not all(tidy[run_of[pos]] for pos, v in scores.items() if v == best):
            continue
        out.update(pos for pos, v in scores.items() if v < best - CONTEXT_MARGIN and tidy[run_of[pos]])
    return frozenset(out)


def _copies_before_lede(page: _Page, titles: list[Title]) -> frozenset[int]:
    """Printings between a title and its lede (found by looking through them) of text
    printed elsewhere as well: a repeated run pushed in after the headline, which says
    nothing about the article it sits in."""
    out = set()
    for title in titles:
        if title.lede is None or not title.sure:
            continue
        start = page.primary(title.paragraphs[-1])
        end = next((pos for pos in page.positions[title.lede] if pos > start), None)
        if end is None or end - start > 12:
            continue
        for pos in range(start + 1, end):
            q = page.seq[pos][0]
            if q is not None and any(not start < other < end for other in page.positions[q]):
                out.add(pos)
    return frozenset(out)


def _out_of_place(page: _Page, path: list[int], owner: dict[int, int]) -> frozenset[int]:
    """Printings of a block that sit in another article's run while another printing of
    the same block sits in its own article: copies to look through, not evidence."""
    by_unit = page.printings_by_unit()
    out = set()
    for unit, positions in by_unit.items():
        p = page.seq[positions[0]][0]
        if len(positions) < 2 or p not in owner:
            continue
        if any(path[pos] == owner[p] for pos in positions):
            out.update(pos for pos in positions if path[pos] != owner[p])
    return frozenset(out)


def _order(page: _Page, members: list[int], title: Title | None, skip: frozenset[int] = frozenset()) -> list[int]:
    """Reading order of one article's paragraphs (see the module docstring)."""
    member_set = set(members)
    proj = [(pos, item) for pos, item in enumerate(page.seq) if item[0] in member_set and pos not in skip]
    weight: Counter = Counter()
    for i, (pos, (p, b, role, kept)) in enumerate(proj):
        if role not in ("last", "both"):
            continue
        for step, (pos2, (q, b2, role2, kept2)) in enumerate(proj[i + 1:i + 3]):
            if q == p:
                break
            if role2 in ("first", "both"):
                w = (1.0 if kept and kept2 else 0.7) / (1 + step)
                weight[(p, q)] += w
            if role2 != "inner":
                break
    no_pred = set(title.paragraphs) if title else set()
    succ, pred = {}, {}
    if title:
        for a, b in zip(title.paragraphs, title.paragraphs[1:]):
            succ[a], pred[b] = b, a
        if title.lede is not None and title.lede in member_set and title.lede not in no_pred and title.sure:
            succ[title.paragraphs[-1]], pred[title.lede] = title.lede, title.paragraphs[-1]
    for (a, b), w in sorted(weight.items(), key=lambda kv: (-kv[1], page.primary(kv[0][0]), page.primary(kv[0][1]))):
        if a in succ or b in pred or b in no_pred or a == b:
            continue
        cur = b
        while cur in succ:
            cur = succ[cur]
        if cur == a:
            continue
        succ[a], pred[b] = b, a
    heads = [p for p in members if p not in pred]
    anchor = page.primary(title.paragraphs[0]) if title else -1
    first = [p for p in heads if title and p == title.paragraphs[0]]
    opening = _displaced_opening(page, heads, succ, title, skip) if title and not title.sure else None
    if opening is not None and first and opening in pred:
        # chained from a printing elsewhere: that succession is cut, the opening leads
        succ.pop(pred.pop(opening), None)
    if opening is not None and first:
        # title → displaced opening → whatever followed the title on the page
        end = opening
        while end in succ:
            end = succ[end]
        after = succ.pop(title.paragraphs[-1], None)
        if after is not None:
            pred.pop(after, None)
            heads.append(after)
        first.append(opening)
    rest = sorted((p for p in heads if p not in first),
                  key=lambda p: (page.primary(p) < anchor, page.primary(p)))
    order, placed = [], set()      # a set beside the list: `in order` was quadratic (issue 4)
    for h in first + rest:
        cur = h
        while cur is not None and cur not in placed:
            order.append(cur)
            placed.add(cur)
            cur = succ.get(cur)
    return order


def _displaced_opening(page: _Page, heads: list[int], succ: dict[int, int], title: Title,
                       skip: frozenset[int]) -> int | None:
    """The run printed just before its own headline (the headline placed after part of its
    body): it ends right where the title is printed, and nothing in it says it was
    continued from elsewhere (no marker before it, no paragraph joined across a jump).

    The run is read back from the paragraph printed right before the title, along the
    chain of successions, up to a paragraph that is printed again after the title (its
    place is there; this printing is a copy chained to the opening), and the returned
    opening may then have a predecessor that the caller cuts off."""
    start = page.primary(title.paragraphs[0])
    before = None
    for pos in range(start - 1, -1, -1):
        q = page.seq[pos][0]
        if pos in skip:
            continue
        if q is None:
            return None
        before = q
        break
    members = set(heads) | set(succ.values())
    if before is None or before not in members or before in title.paragraphs or before in succ:
        return None
    pred_of = {b: a for a, b in succ.items()}
    chain = [before]
    while chain[0] in pred_of:
        a = pred_of[chain[0]]
        if a in title.paragraphs or a in chain:
            break
        if any(pos > start for pos in page.positions[a]):
            break         # printed again after the title: its place is there, this is a copy
        chain.insert(0, a)
    if chain[0] in pred_of and pred_of[chain[0]] in title.paragraphs:
        return None       # the title already leads into it
    jumps = page.jumps()
    if any(len(page.paragraphs[q].blocks) > 1 and any(pos in jumps for pos in page.positions[q]) for q in chain):
        return None
    if all(len(page.positions[q]) > len(page.paragraphs[q].blocks) for q in chain):
        return None       # a repeated run printed before the title, not its opening
    h = chain[0]
    pos = page.primary(h)
    prev = next((page.seq[i] for i in range(pos - 1, -1, -1) if i not in skip), None)
    if prev is not None and prev[0] is None and prev[2] == "from":
        return None
    return h


def assemble(blocks: tuple[Block, ...], units: tuple[Unit, ...], paragraphs: tuple[Paragraph, ...],
             lang: Language, max_placements: int | None = None) -> tuple[tuple[Article, ...], tuple[Decision, ...]]:
    """Articles in page order of their titles (an untitled lead-in first).

    Raises :class:`TooLargeError` when paragraphs × articles exceed ``max_placements``
    (checked on the kickers before finding the other titles, as each kicker is one)."""
    if not paragraphs:
        return (), ()
    page = _Page(blocks, units, paragraphs)
    _check_placements(sum(p.kind == "kicker" for p in paragraphs), len(paragraphs), max_placements)
    titles = find_titles(page, lang)
    _check_placements(len(titles), len(paragraphs), max_placements)
    emit = _emissions(page, titles, lang)
    stray = _copies_out_of_context(page, _Shift(page, lang))
    between = _copies_before_lede(page, titles) | stray
    path = _viterbi(page, titles, emit, between)
    owner = _vote(page, path, emit, titles, between, stray)
    skip = _out_of_place(page, path, owner)
    # (the run between a title and its lede is looked through for placing paragraphs,
    # but its order still counts when ordering an article)
    looked_through = skip | between
    # a paragraph joined across a jump carries its article to where its tail is printed
    anchors = {pos: owner[p] for p, para in enumerate(paragraphs) if len(para.blocks) > 1 and owner.get(p, UNTITLED) != UNTITLED
               for pos in page.positions.get(p, []) if pos not in looked_through}
    path = _viterbi(page, titles, emit, looked_through, anchors)
    owner = _vote(page, path, emit, titles, looked_through, stray)
    for t, title in enumerate(titles):
        for p in title.paragraphs:
            owner[p] = t
    page.settle(path, owner, skip | {pos for t in titles for p in t.paragraphs for pos in page.positions[p]})
    decisions: list[Decision] = []
    articles: list[Article] = []
    groups: dict[int, list[int]] = defaultdict(list)
    for p in range(len(paragraphs)):
        groups[owner.get(p, UNTITLED)].append(p)
    territory = _territories(page, titles)
    names = {}
    for t in [UNTITLED] + list(range(len(titles))):
        members = groups.get(t)
        if not members:
            continue
        title = titles[t] if t != UNTITLED else None
        order = _order(page, members, title, skip)
        body = [paragraphs[p] for p in order if not title or p not in title.paragraphs]
        whole = "".join(p.text for p in body)
        if title:
            region, text, title_blocks = title.region, title.text, tuple(b for p in title.paragraphs for b in paragraphs[p].blocks)
            if not _region_of_kicker(page, title):
                # a plain headline: the place its lede names, else the headline itself
                region = place_named(body[0].text, whole, lang) if body else ""
                region = region if plausible_place(region, lang) else ""
                region = region or _headline_place(text, lang) or text
        else:
            region = place_named(body[0].text, whole, lang) if body else ""
            region = region if plausible_place(region, lang) else ""
            text, title_blocks = "", ()
        name = _unique(region or text[:20] or "untitled", names)
        for p in order:
            home = territory[page.primary(p)]
            for b in paragraphs[p].blocks:
                moved = home != t
                decisions.append(Decision(STAGE, b, "moved" if moved else "placed",
                                          (f"printed inside another article's run, moved to {name}" if moved
                                           else f"in {name}"), article=name))
        articles.append(Article(region, text, tuple(body), title_blocks, lang.code))
    articles.sort(key=lambda a: min(a.blocks) if a.blocks else -1)
    return tuple(articles), tuple(decisions)


def _check_placements(articles: int, paragraphs: int, limit: int | None) -> None:
    """Placing paragraphs costs time and memory in proportion to paragraphs × articles."""
    if limit is not None and articles * paragraphs > limit:
        raise TooLargeError(
            f"page has {articles:,} articles and {paragraphs:,} paragraphs: placing each paragraph weighs it "
            f"against every article ({articles * paragraphs:,} placements, above the limit of {limit:,}): "
            "split it into pages (form feeds between them) or raise --max-placements")


def _territories(page: _Page, titles: list[Title]) -> list[int]:
    """For each printing, the article whose title was printed last before it."""
    starts = {page.primary(p): t for t, title in enumerate(titles) for p in title.paragraphs[:1]}
    out, current = [], UNTITLED
    for pos in range(len(page.seq)):
        current = starts.get(pos, current)
        out.append(current)
    return out


def _unique(name: str, seen: dict) -> str:
    if name not in seen:
        seen[name] = 1
        return name
    seen[name] += 1
    return f"{name} ({seen[name]})"
