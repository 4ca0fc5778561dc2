"""Cut paragraphs → whole paragraphs: pair every cut head with its continuation.

A *head* is a body unit that stops in the middle of a sentence ("…更是近距离服"); a
*tail* candidate is a body unit printed after it. Each pair is scored on evidence the
page itself gives, then pairs are taken best-first, one tail per head:

- ``adjacency``: an occurrence of the tail follows an occurrence of the head, counted in
  three sequences — all printings, kept blocks only, and text printed only once (so a
  copy run printed into the middle of a cut does not separate the two halves);
- ``marker``: a "to" marker after the head or a "from" marker before the tail
  ("(上接B6版)", "Continued from Page A1");
- ``junction``: the string across the cut is common on the page ("服" + "务" → "服务",
  "街" + "道" → "街道"); for spaced text, a line-end hyphen whose joined word the page
  uses, or a tail starting in lower case.

A head whose unfinished rest is only a character or two ("…达89.5%。合") is joined only
on junction evidence; otherwise that dangling rest is dropped, and recorded.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .languages import Language, comma_headline, ends_sentence, prose_words_in, reads_as_lede, sentences
from .normalise import key
from .types import Block, Decision, Paragraph, Unit

STAGE = "rejoin"
NEAR = 6
ACCEPT = 3.0
log = logging.getLogger(__name__)

#: the word before a final hyphen; the lookbehind lets a search start only where a run of
#: letters starts (the leftmost match always did), so it reads a long run of letters once
#: instead of once per letter (quadratic)
_HYPHEN = re.compile(r"(?<![A-Za-z\u00c0-\u024f])([A-Za-z\u00c0-\u024f]+)-$")
_FIRST_WORD = re.compile(r"^([A-Za-z\u00c0-\u024f]+)")


def _hyphen_end(text: str) -> re.Match | None:
    """``_HYPHEN.search(text.rstrip())``, looking at the last 1,000 characters only: a
    paragraph joined from thousands of cut blocks grows at every join, and searching all
    of it each time is quadratic. (A run of letters longer than that is no word.)"""
    return _HYPHEN.search(text[-1000:].rstrip())


@dataclass(frozen=True)
class Join:
    head: int        # unit position
    tail: int        # unit position
    score: float
    reading: int     # block whose text is used for the tail
    why: str


def _sequences(blocks: tuple[Block, ...], units: tuple[Unit, ...]):
    """Page order as (unit position or None for a marker, block index, marker direction)."""
    owner = {}
    for u, unit in enumerate(units):
        for b in unit.occurrences:
            owner[b] = u
    seq_all = []
    for b in blocks:
        if b.kind == "marker":
            seq_all.append((None, b.index, b.marker))
        elif b.index in owner:
            seq_all.append((owner[b.index], b.index, None))
    kept = {unit.block for unit in units}
    seq_kept = [item for item in seq_all if item[0] is None or item[1] in kept]
    # printings of text printed once only: repeated runs dropped in every place they stand
    seq_single = [item for item in seq_all if item[0] is None or not units[item[0]].copies]
    return seq_all, seq_kept, seq_single


def _followers(seq, limit: int):
    """For each unit: {following unit: (gap, block of that occurrence, marker between)}."""
    out: dict[int, dict[int, tuple[int, int, bool]]] = {}
    for pos, (u, _b, _m) in enumerate(seq):
        if u is None:
            continue
        gap, marked = 0, False
        # (a unit with no text printed after it gets an empty table: readers .get() it)
        mine = out.setdefault(u, {})
        # indexes, not seq[pos + 1:]: a slice copies the rest of the page for every unit,
        # which is quadratic on a page of 50,000 blocks (the loop stops after ``limit``)
        for at in range(pos + 1, len(seq)):
            v, b2, direction = seq[at]
            if v is None:
                marked = True
                continue
            best = mine.get(v)
            if v != u and (best is None or (gap, not marked) < (best[0], not best[2])):
                mine[v] = (gap, b2, marked)
            gap += 1
            if gap > limit:
                break
    return out


def _stands_in(reading: int, unit: Unit, by_block: dict[int, Block], lang: Language) -> bool:
    """Can this printing of a unit stand in for it as a continuation? Another printing
    must end where the unit ends and carry nearly all of it; a cut-down copy printed near
    the head ("request for roads everyone depends on.") cannot, and the unit is then
    reached through its own printing instead."""
    if reading == unit.block or reading not in by_block:
        return True
    mine, full = key(by_block[reading].text, lang), key(unit.text, lang)
    return len(mine) >= 0.9 * len(full) and mine[-8:] == full[-8:]


def _attested_starts(seq, units: tuple[Unit, ...], blocks_by_index, lang: Language) -> dict[str, dict[int, float]]:
    """Texts printed somewhere right after a heading (certainly a paragraph start) or
    after a finished paragraph (probably one): evidence against being a continuation.
    Returns {block text: {unit printed before it: penalty}}."""
    penalty_by_text: dict[str, dict[int, float]] = {}
    for prev, cur in zip(seq, seq[1:]):
        if prev[0] is None or cur[0] is None:
            continue
        before = units[prev[0]]
        text = blocks_by_index[cur[1]].text
        if text.lstrip("\"'“‘( ")[:1].islower():
            continue      # a lower-case opening never starts a paragraph, whatever precedes it
        if before.kind in ("heading", "kicker"):
            penalty = 9.0
        elif ends_sentence(blocks_by_index[prev[1]].text, lang):
            penalty = 1.5
        else:
            continue
        seen = penalty_by_text.setdefault(text, {})
        seen[prev[0]] = max(penalty, seen.get(prev[0], 0.0))
    return penalty_by_text


def _after_open_cut(seq, units: tuple[Unit, ...], blocks_by_index, lang: Language) -> set[int]:
    """Units printed somewhere right after running text that stops mid-sentence: a
    heading there may be a headline dropped into a cut ("…stood at" / HEADLINE /
    "about…"), and the lower-case line after it continues that cut, not the heading."""
    out = set()
    for prev, cur in zip(seq, seq[1:]):
        if prev[0] is not None and cur[0] is not None and units[prev[0]].kind == "body" \
                and not ends_sentence(blocks_by_index[prev[1]].text, lang):
            out.add(cur[0])
    return out


def _after_from_marker(seq) -> set[int]:
    out = set()
    for (u, _b, m), nxt in zip(seq, seq[1:]):
        if u is None and m == "from" and nxt[0] is not None:
            out.add(nxt[0])
    return out


def _before_to_marker(seq) -> set[int]:
    out = set()
    for cur, (u, _b, m) in zip(seq, seq[1:]):
        if u is None and m == "to" and cur[0] is not None:
            out.add(cur[0])
    return out


#: a capitalised word after a lower-case word in the same sentence
_INSIDE_CAPITAL = re.compile(r"(?<=[A-Za-z,;] )([A-Z][a-z\u00c0-\u024f]+)")
#: a name opening a report: "Haines said…", "Witmer told…"
_REPORTS = re.compile(r"[A-Z][a-z\u00c0-\u024f]+ (?:said|says|told)\b")
#: a text stopping on such a word
_ENDS_IN_NAME = re.compile(r"[A-Za-z,;] [A-Z][a-z\u00c0-\u024f]+$")


class _Junctions:
    """Counts of short strings on the page, for judging the text across a cut.

    For unspaced text the only strings ever looked up are those across a cut: two to
    four characters starting in the last three of a head's key. So the page's 2- to
    4-grams are counted only where they start with a character asked about (``expect``
    the heads up front: one pass over the page for all of them), about a tenth of the
    grams of a Chinese page; every count looked up is the one counting all grams gives
    (counting them all was a third of the stage, issue 7)."""

    def __init__(self, texts: list[str], lang: Language, running: list[str] = ()):
        self.lang = lang
        self.grams: Counter = Counter()
        self.words: Counter = Counter()
        #: words printed with a capital inside a sentence ("…on Thursday", "…Ray Diehl")
        #: against printed in lower case: names, whose capital says nothing of a start
        self.capital_inside: Counter = Counter()
        self.lower: Counter = Counter()
        if lang.spaced:
            for t in texts:
                words = re.findall(r"[A-Za-z\u00c0-\u024f]+", t)
                self.words.update(w.lower() for w in words)
                self.lower.update(w for w in words if w.islower())
            for t in running:     # (headings capitalise every word)
                for m in _INSIDE_CAPITAL.finditer(t):
                    self.capital_inside[m.group(1).lower()] += 1
        else:
            # the keys joined by a separator no key holds (keys are word characters), and
            # ended with one
            self._page = "\x00".join(key(t, lang) for t in texts) + "\x00"
            self._counted: set[str] = set()
            self._codes: np.ndarray | None = None
            self._ends: np.ndarray | None = None

    def expect(self, heads: Iterable[str]) -> None:
        """Count the grams that scoring the cuts after these head texts looks up."""
        if self.lang.spaced:
            return
        chars = {c for head in heads for c in key(head, self.lang)[-3:]} - self._counted
        if not chars:
            return
        self._counted |= chars
        if self._codes is None:
            self._codes = np.frombuffer(self._page.encode("utf-32-le"), dtype=np.uint32)
            self._ends = np.flatnonzero(self._codes == 0)
        # (numpy rather than a regular expression of the characters: compiling one for
        # each page's characters cost more than the search)
        wanted = np.fromiter(map(ord, chars), dtype=np.uint32, count=len(chars))
        starts = np.flatnonzero(np.isin(self._codes, wanted))
        # only grams inside a key: how many characters each start has before its key ends
        room = self._ends[np.searchsorted(self._ends, starts)] - starts
        for n in (2, 3, 4):
            self.grams.update(self._page[i:i + n] for i in starts[room >= n].tolist())

    def _name(self, word: str) -> bool:
        return self.capital_inside[word] > self.lower[word]

    def score(self, head: str, tail: str) -> float:
        if self.lang.spaced:
            hyphen = _hyphen_end(head)
            first = _FIRST_WORD.match(tail.lstrip())
            if hyphen and first:
                joined = (hyphen.group(1) + first.group(1)).lower()
                if self.words.get(joined):
                    return 3.0
                # "…state alloca-" + "tion next year" rather than + "Fulton County…": a
                # word split at the hyphen goes on in lower case ("Mid-" + "Atlantic" is rare)
                return 2.0 if first.group(1)[:1].islower() else 0.5
            opening = tail.lstrip("\"'“‘( ")
            start = opening[:1]
            if start.islower():
                return 2.0
            last = re.search(r"(?<![A-Za-z])([A-Za-z]+)$", head[-200:].rstrip())
            # (or on a quotation closed with a comma: '…but they are tired,"' + 'Witmer told…')
            runs_on = bool(last and last.group(1).lower() in self.lang.open_words) or head.rstrip()[-2:] in (',"', ",”")
            if start.isdigit() or start in "$£€" and opening[1:2].isdigit():
                return 2.0 if runs_on else 0.5      # "…stood at roughly" + "$14 million…"
            word = _FIRST_WORD.match(opening)
            if word and word.group(1).lower() in self.lang.function_words:
                return -2.5     # "The levy will…": a capitalised function word opens a sentence
            # "…in Fort Loudon and" + "Mercersburg once…": no sentence stops on "and"; and
            # a name's capital ("…at a local fire hall" + "Saturday night…") is weaker
            # evidence of a start than "Several…", as is any capital after a head stopping
            # inside a name ("…said Commissioner Ray" + "Diehl"). A name reporting
            # ("Haines said…") opens a sentence all the same.
            name = bool(word) and self._name(word.group(1).lower()) and not _REPORTS.match(opening)
            inside_name = bool(_ENDS_IN_NAME.search(head[-60:].rstrip()))
            return -1.0 + (0.5 if runs_on else 0.0) + (0.5 if name or inside_name else 0.0)
        if not key(head, self.lang) or not key(tail, self.lang):
            return -1.0
        best = self.attested(head, tail)
        if self.lang.continues is not None and self.lang.continues.match(tail.lstrip()):
            best = max(best, 2.0)      # as a lower-case opening is for spaced text
        return best

    def attested(self, head: str, tail: str) -> float:
        """Unspaced text: how common on the page the string across the cut is."""
        hk, tk = key(head, self.lang), key(tail, self.lang)
        if not hk or not tk:
            return 0.0
        if not self._counted.issuperset(hk[-3:]):
            self.expect([head])      # (a head not expected up front)
        best = 0.0
        for a, b in ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1)):
            if a > len(hk) or b > len(tk):
                continue
            count = self.grams.get(hk[-a:] + tk[:b], 0)
            if count:
                best = max(best, min(3.0, math.log2(1 + count) * (a + b) / 3))
        return best


class _Pieces:
    """A paragraph's text while cut blocks are joined onto it, kept as pieces: building
    one string again at every join is quadratic in a paragraph joined from thousands of
    blocks (issue 4). Only its end is ever looked at or changed."""

    def __init__(self, text: str) -> None:
        self.pieces, self.size = [text], len(text)

    def __len__(self) -> int:
        return self.size

    def __str__(self) -> str:
        return "".join(self.pieces)

    def end(self, n: int) -> str:
        """The last ``n`` characters."""
        out, size = [], 0
        for piece in reversed(self.pieces):
            out.append(piece)
            size += len(piece)
            if size >= n:
                break
        return "".join(reversed(out))[-n:]

    def rstrip(self) -> None:
        """Strip trailing whitespace, as ``str.rstrip`` would."""
        while len(self.pieces) > 1 and not self.pieces[-1].rstrip():
            self.size -= len(self.pieces.pop())
        kept = self.pieces[-1].rstrip()
        self.size -= len(self.pieces[-1]) - len(kept)
        self.pieces[-1] = kept

    def drop_last(self) -> None:
        """Drop the last character."""
        while len(self.pieces) > 1 and not self.pieces[-1]:
            self.pieces.pop()
        if self.pieces[-1]:
            self.pieces[-1] = self.pieces[-1][:-1]
            self.size -= 1

    def append(self, text: str) -> None:
        self.pieces.append(text)
        self.size += len(text)


def _text_join(head: _Pieces, tail: str, lang: Language, junctions: _Junctions) -> None:
    """Join ``tail`` onto ``head``, in place."""
    if not lang.spaced:
        head.append(tail)
        return
    hyphen = _hyphen_end(head.end(1000))
    first = _FIRST_WORD.match(tail.lstrip())
    if hyphen and first:
        left, right = hyphen.group(1), first.group(1)
        if junctions.words.get(f"{left}-{right}".lower()) and not junctions.words.get((left + right).lower()):
            head.rstrip()
            head.append(tail.lstrip())
            return
        head.rstrip()
        head.drop_last()
        head.append(tail.lstrip())
        return
    head.rstrip()
    head.append(" " + tail.lstrip())


def _sentence_like(line: str, lang: Language) -> bool:
    """A short unfinished line that reads like the start of a sentence rather than a
    headline: it has a comma, opens a quotation, runs to eleven words or more, or opens
    the way headlines do not ("The commissioners directed…")."""
    return ("," in line or line.lstrip()[:1] in "\"“'‘" or len(line.split()) >= 11
            or lang.not_headline is not None and bool(lang.not_headline.search(line)))


def _cut_line(line: str, lang: Language) -> bool:
    """Six words or more, one of them a word headline style leaves out."""
    return len(line.split()) >= 6 and prose_words_in(line, lang) >= 1


def _dangling(text: str, lang: Language, words: int = 1) -> str:
    """The unfinished rest after the last full sentence, if it is only a scrap (``words``
    words of spaced text, twice as many characters of unspaced text)."""
    pieces = sentences(text, lang)
    if len(pieces) < 2:
        return ""
    rest = pieces[-1]
    size = len(rest.split()) if lang.spaced else len(key(rest, lang))
    return rest if size <= (words if lang.spaced else 2 * words) else ""


def _improve(joins: list[Join], nxt: dict[int, Join], prev: dict[int, int]) -> None:
    """Best-first pairing can take from an open head the only tail it has, for a head
    that had another: "…this" + "when many residents…" taken by "…budget this", whose own
    continuation "farmland requires…" was nearly as good. Where giving that other head its
    next-best free tail makes the two joins together score more than the one, swap (one
    step of augmenting the matching, in the same best-first order)."""
    by_head: dict[int, list[Join]] = defaultdict(list)
    for j in joins:
        by_head[j.head].append(j)
    for j in joins:
        if j.head in nxt or j.tail not in prev or j.tail in nxt and _reaches(nxt, j.tail, j.head):
            continue
        other = prev[j.tail]
        taken = nxt[other]
        for alt in by_head[other]:
            if alt.tail in prev or alt.tail == j.head or alt.score + j.score <= taken.score:
                continue
            # both new joins must leave the chains free of cycles
            del nxt[other], prev[j.tail]
            nxt[j.head], prev[j.tail] = j, j.head
            if _reaches(nxt, alt.tail, other) or alt.tail == other:
                del nxt[j.head], prev[j.tail]
                nxt[other], prev[j.tail] = taken, other
                continue
            nxt[other], prev[alt.tail] = alt, other
            break


def _reaches(nxt: dict, start: int, target: int) -> bool:
    cur = start
    while cur in nxt:
        cur = nxt[cur].tail
        if cur == target:
            return True
    return False


def rejoin(blocks: tuple[Block, ...], units: tuple[Unit, ...], lang: Language
           ) -> tuple[tuple[Paragraph, ...], tuple[Decision, ...]]:
    """Join cut units into paragraphs; returns paragraphs in page order of their first unit."""
    seq_all, seq_kept, seq_single = _sequences(blocks, units)
    tables = [_followers(seq, NEAR) for seq in (seq_all, seq_kept, seq_single)]
    from_marked = _after_from_marker(seq_all) | _after_from_marker(seq_single)
    to_marked = _before_to_marker(seq_all) | _before_to_marker(seq_single)
    by_block = {b.index: b for b in blocks}
    after_cut = _after_open_cut(seq_all, units, by_block, lang)
    junctions = _Junctions([u.text for u in units], lang, [u.text for u in units if u.kind == "body"])
    # evidence against being a continuation: printed after a heading anywhere, or after a
    # finished paragraph where no repeated run can have pushed in between
    # (a heading seen before it only once repeated runs are taken out is weaker evidence:
    # taking them out can also bring a headline next to a cut line)
    starts: dict[str, dict[int, float]] = {}
    for seq, weigh in ((seq_all, lambda p: p if p >= 9.0 else 0.0), (seq_single, lambda p: min(p, 2.5))):
        for text, before in _attested_starts(seq, units, by_block, lang).items():
            for unit, penalty in before.items():
                if weigh(penalty):
                    starts.setdefault(text, {})[unit] = max(weigh(penalty), starts.get(text, {}).get(unit, 0.0))
    decisions: list[Decision] = []

    heads = [u for u, unit in enumerate(units)
             if unit.kind in ("body", "heading") and unit.text and not ends_sentence(unit.text, lang)]
    tails = {u for u, unit in enumerate(units) if unit.kind == "body"}
    junctions.expect(units[h].text for h in heads)
    joins: list[Join] = []
    leftovers: list[Join] = []
    orphans: list[Join] = []
    for h in heads:
        head = units[h]
        scrap = _dangling(head.text, lang)
        cands: dict[int, tuple[int, int, bool]] = {}
        # a heading-like head is joined only to the very next printed block
        for table in (tables if head.kind == "body" else tables[:1]):
            for t, (gap, b2, marked) in table.get(h, {}).items():
                if t in tails and (t not in cands or gap < cands[t][0]) and _stands_in(b2, units[t], by_block, lang):
                    cands[t] = (gap, b2, marked)
        for t in from_marked:
            if t in tails and t not in cands:
                cands[t] = (NEAR + 1, units[t].block, True)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("head %d %r: candidates %s", units[h].block, head.text[-12:], sorted(units[t].block for t in cands))
        for t, (gap, reading, marked) in cands.items():
            if t == h:
                continue
            tail_text = by_block[reading].text if reading in by_block else units[t].text
            junction = junctions.score(head.text, tail_text)
            adjacency = max(0.0, 3.0 - gap)
            # after a "continued from" marker; more so when the head is where a "continued
            # on" marker sends the reader
            marker = (1.5 + (1.0 if h in to_marked else 0.0)) if t in from_marked else 0.0
            if h in to_marked and t not in from_marked:
                adjacency = 0.0   # "(下转…)": what is printed next is not the continuation
            if reads_as_lede(tail_text, lang) and not (lang.body_cue is not None and lang.body_cue.search(head.text)):
                continue      # a lede opens an article (unless the head is a cut dateline: "新华社…" + "电(记者…")
            penalty = max((p for before, p in starts.get(tail_text, {}).items() if before != h), default=0.0)
            if (penalty < 9.0 or units[t].copies) and tables[0].get(h, {}).get(t, (NEAR + 1,))[0] == 0:
                # printed right after the head on the page itself: what precedes the tail
                # once copies are taken out (a heading pulled next to it) weighs less, and
                # so does a heading before another printing of a text printed several times
                # (a copy lands wherever the page had room)
                penalty = 0.0
            score = adjacency + marker + junction - penalty
            # (a heading-like line sent on by a "to" marker is a cut line of running text:
            # headings are not continued on another page)
            sent_on = h in to_marked and t in from_marked and junction >= 0.5
            # (a long heading-like line using a word headline style leaves out, with a
            # lower-case line printed right after it and no cut before it that the lower-case
            # line could continue instead, is a cut line too: "Several fire chiefs and
            # municipal police officials attended the meeting" + "to support the plan.")
            if head.kind == "heading" and not sent_on and (
                    gap > 0 or junction < 2.0 or (not lang.spaced and " " in head.text)
                    or (lang.spaced and junction < 3.0 and not _sentence_like(head.text, lang)
                        and (h in after_cut or marked or not _cut_line(head.text, lang)))):
                if (lang.spaced and junction >= 2.0 and penalty == 0.0 and (
                        gap > 0 and (_sentence_like(head.text, lang) or _cut_line(head.text, lang))
                        or gap == 0 and not marked and len(head.text.split()) >= 6)):
                    # a cut line of running text whose lower-case continuation was printed
                    # further on, or any heading-like line as long as a line of running text
                    # with one printed right after it ("…closed sections of several state" +
                    # "routes, and…"): paired only if both are still open once the rest is
                    # joined. (A short section heading, "Township concerns", is no cut line.)
                    orphans.append(Join(h, t, round(junction + adjacency - 1.0, 3), reading,
                                        f"open cut line paired with a lower-case continuation, gap {gap}"))
                continue
            if head.kind == "heading" and not sent_on:
                score -= 1.0      # a line of running text cut there continues it rather
            if scrap and (gap > 0 or junction < (2.0 if lang.spaced else 2.5)):
                continue
            if (junction if lang.spaced else junctions.attested(head.text, tail_text)) < 1.0 and (
                    head.kind == "body" and comma_headline(head.text, lang) or comma_headline(tail_text, lang)):
                # may be a headline with a comma: joined only where the text across the cut
                # is attested ("…的" + "人多了" says the tail continues something, not this)
                continue
            if log.isEnabledFor(logging.DEBUG):
                log.debug("  tail %d: adjacency %.1f marker %.1f junction %.2f penalty %.1f score %.2f",
                          units[t].block, adjacency, marker, junction, penalty, score)
            if score >= ACCEPT:
                why = f"gap {gap}, junction {junction:.1f}" + (", across a marker" if marker else "")
                joins.append(Join(h, t, round(score, 3), reading, why))
            elif t in from_marked and not scrap and head.kind == "body" and junction >= 0.0 and penalty == 0.0:
                leftovers.append(Join(h, t, round(junction + adjacency, 3), reading,
                                      f"open cut paired with a continuation after a marker, junction {junction:.1f}"))
            elif gap == 0 and not scrap and head.kind == "body" and junction >= -0.5 and penalty == 0.0:
                # "…said Commissioner Ray" + "Diehl said the county…": a capital is no proof
                # either way, and a cut sentence must go on somewhere
                leftovers.append(Join(h, t, round(junction + adjacency - 1.0, 3), reading,
                                      f"open cut paired with the text printed right after it, junction {junction:.1f}"))

    joins.sort(key=lambda j: (-j.score, units[j.head].block, units[j.tail].block))
    nxt: dict[int, Join] = {}
    prev: dict[int, int] = {}
    for j in joins:
        if j.head in nxt or j.tail in prev:
            continue
        # no cycles: walk forward from the tail
        cur, loop = j.tail, False
        while cur in nxt:
            cur = nxt[cur].tail
            if cur == j.head:
                loop = True
                break
        if loop or cur == j.head:
            continue
        nxt[j.head] = j
        prev[j.tail] = j.head
    _improve(joins, nxt, prev)
    # A head still open and a text printed right after a "continued from" marker, or right
    # after the head itself, that nothing continues yet are the two ends of one cut: pair
    # what is left, best first.
    leftovers.sort(key=lambda j: (-j.score, units[j.head].block, units[j.tail].block))
    orphans.sort(key=lambda j: (-j.score, units[j.head].block, units[j.tail].block))
    for j in leftovers + orphans:
        if j.head in nxt or j.tail in prev or j.tail in nxt and _reaches(nxt, j.tail, j.head):
            continue
        nxt[j.head] = j
        prev[j.tail] = j.head

    paragraphs: list[Paragraph] = []
    for u, unit in enumerate(units):
        if u in prev:
            continue
        text, chain, starts = _Pieces(unit.text), [unit.block], [0]
        cur = u
        while cur in nxt:
            j = nxt[cur]
            tail_block = j.reading
            tail_text = units[j.tail].text if tail_block == units[j.tail].block else by_block[tail_block].text
            if tail_block != units[j.tail].block:
                decisions.append(Decision(STAGE, tail_block, "kept",
                                          f"this reading continues block {units[cur].block}; "
                                          f"block {units[j.tail].block} becomes its copy", other=units[j.tail].block))
                decisions.append(Decision(STAGE, units[j.tail].block, "copy",
                                          f"fuller reading of block {tail_block}, which continues block {units[cur].block}",
                                          other=tail_block))
            _text_join(text, tail_text, lang, junctions)
            starts.append(len(text) - len(tail_text.lstrip()))
            decisions.append(Decision(STAGE, tail_block, "joined", f"continues block {chain[-1]} ({j.why})",
                                      other=chain[-1], score=j.score))
            chain.append(tail_block)
            cur = j.tail
        last = units[cur]
        text = str(text)
        # (left with no continuation at all, "…to the area. The authority" is a scrap too)
        scrap = _dangling(text, lang, words=2 if lang.spaced else 1) if not ends_sentence(text, lang) else ""
        if scrap:
            text = text[: len(text) - len(scrap)].rstrip()
            decisions.append(Decision(STAGE, chain[-1], "trimmed", f"dangling scrap {scrap!r} with no continuation"))
        kind = unit.kind if len(chain) == 1 else "body"
        paragraphs.append(Paragraph(text, tuple(chain), kind, tuple(min(x, len(text)) for x in starts)))
    return tuple(paragraphs), tuple(decisions)
