"""A page → blocks, each classified as kicker, heading, body or marker.

Blocks are runs of non-blank lines. Inside a block, hard-wrapped lines are joined (with
nothing between CJK characters, a space elsewhere) and words hyphenated across a line
end are mended when the page itself shows the unhyphenated word. Continuation markers
("(上接B6版)", "Continued on Page 6") become marker blocks of their own, also when they
were printed inside a text block, so that no marker text reaches an article.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

from .languages import Language, ends_sentence, reads_as_prose
from .types import Block, Decision

STAGE = "segment"

_LINE = re.compile(r"[^\n]*\n?")
_SPACE = " \t\u3000\xa0"
#: the word before a line-end hyphen; the lookbehind lets a search start only where a run of
#: letters starts (same matches: the leftmost start was always there), so a long run of
#: letters without a hyphen is passed over once instead of once per letter (quadratic)
_HYPHEN_END = re.compile(r"(?<![A-Za-z\u00c0-\u024f])([A-Za-z\u00c0-\u024f]+)[-\u00ad]$")
_WORD_START = re.compile(r"^([a-z\u00df-\u024f]+)")
_WORDS = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:-[A-Za-z\u00c0-\u024f]+)*")
_CJK_END = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef“”‘’]$")
_CJK_START = re.compile(r"^[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef“”‘’]")


def _raw_blocks(text: str) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """(start, end, [(line start, line end)…]) of each run of non-blank lines."""
    blocks, lines = [], []
    pos = 0
    for m in _LINE.finditer(text):
        if m.start() == m.end():
            break
        raw = m.group()
        body = raw.rstrip("\n")
        stripped = body.strip(_SPACE)
        if stripped:
            left = m.start() + (len(body) - len(body.lstrip(_SPACE)))
            right = m.start() + len(body.rstrip(_SPACE))
            lines.append((left, right))
        elif lines:
            blocks.append((lines[0][0], lines[-1][1], lines))
            lines = []
        pos = m.end()
    if lines:
        blocks.append((lines[0][0], lines[-1][1], lines))
    return blocks


def _one_per_line(text: str, lines: list[tuple[int, int]], lang: Language) -> bool:
    """A block whose lines are whole paragraphs (a dump without blank lines), not wraps."""
    if len(lines) < 3:
        return False
    ended = sum(ends_sentence(text[a:b], lang) for a, b in lines[:-1])
    lengths = [b - a for a, b in lines]
    ragged = max(lengths) > 1.6 * sorted(lengths)[len(lengths) // 2]
    return ended >= 0.6 * (len(lines) - 1) and ragged


#: lines per block above which a page is taken to have no blank lines between paragraphs
LONG_BLOCK = 12


def _paragraphs_in(text: str, lines: list[tuple[int, int]], lang: Language) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Paragraphs of a hard-wrapped run with no blank lines: a paragraph ends at a line that
    finishes a sentence well short of the column width, before an indented line, and
    around a short heading-like line."""
    widths = sorted(b - a for a, b in lines)
    width = widths[int(len(widths) * 0.9)] or 1
    out, current = [], []
    for n, (a, b) in enumerate(lines):
        line = text[a:b]
        stripped = line.strip(_SPACE)
        prev_ended = n == 0 or ends_sentence(text[lines[n - 1][0]:lines[n - 1][1]], lang)
        nxt_text = text[lines[n + 1][0]:lines[n + 1][1]].lstrip(_SPACE) if n + 1 < len(lines) else ""
        kicker = bool(lang.kicker.match(stripped)) and classify(stripped, lang)[0] == "kicker"
        heading = kicker or (is_heading_like(stripped, lang) and (
            b - a < 0.6 * width or (prev_ended and (not lang.spaced or nxt_text[:1].isupper()))))
        if heading and current:
            out.append(current)
            current = []
        current.append((a, b))
        nxt = lines[n + 1] if n + 1 < len(lines) else None
        indented = nxt is not None and text[nxt[0] - 1:nxt[0]] in _SPACE and nxt[0] > 0
        short_end = ends_sentence(line, lang) and b - a < 0.85 * width
        if heading or short_end or indented:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return [(group[0][0], group[-1][1], group) for group in out]


def _split_markers(text: str, start: int, end: int, lang: Language) -> list[tuple[int, int, str | None]]:
    """Cut a span at continuation markers: [(start, end, marker direction or None)]."""
    found = []
    segment = text[start:end]
    # where the span's own text starts and ends: a marker is at an edge when nothing but
    # space lies before or after it (slicing and stripping the span at every marker was
    # quadratic in a long block full of markers)
    first = len(segment) - len(segment.lstrip(_SPACE + "\n"))
    last = len(segment.rstrip(_SPACE + "\n"))
    for direction, pattern in (("from", lang.marker_from), ("to", lang.marker_to)):
        for m in pattern.finditer(segment):
            if m.end() - m.start() < 3:
                continue
            at_edge = first >= m.start() or last <= m.end()
            bracketed = m.group().lstrip(_SPACE)[:1] in "(\uff08" and m.group().rstrip(_SPACE)[-1:] in ")\uff09"
            if at_edge or bracketed:
                found.append((start + m.start(), start + m.end(), direction))
    if not found:
        return [(start, end, None)]
    found.sort()
    merged = []
    for item in found:
        if merged and item[0] < merged[-1][1]:
            continue
        merged.append(item)
    out, pos = [], start
    for a, b, direction in merged:
        if text[pos:a].strip(_SPACE + "\n"):
            out.append((pos, a, None))
        out.append((a, b, direction))
        pos = b
    if text[pos:end].strip(_SPACE + "\n"):
        out.append((pos, end, None))
    return out


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _SPACE + "\n":
        a += 1
    while b > a and text[b - 1] in _SPACE + "\n":
        b -= 1
    return a, b


_LINE_END_SPLIT = re.compile(r"[A-Za-z\u00c0-\u024f]+[-\u00ad][ \t]*\n[ \t]*[a-z\u00df-\u024f]+")
#: the same, starting only where a run of letters starts (see _HYPHEN_END)
_LINE_END_SPLIT_AT_WORD = re.compile(r"(?<![A-Za-z\u00c0-\u024f])" + _LINE_END_SPLIT.pattern)
_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


def _vocabulary(text: str) -> Counter:
    """Words of the page as printed, for deciding line-end hyphens; the halves of words
    split at a line end are left out, so they cannot vouch for themselves."""
    return Counter(w.lower() for w in _WORDS.findall(_without_split_words(text)))


def _without_split_words(text: str) -> str:
    """``_LINE_END_SPLIT.sub(" ", text)`` in linear time.

    That pattern, searched from every letter of a long run of letters, rereads the run
    each time (quadratic: minutes on 100 KB of letters). A match can only start where a
    run of letters starts, or right where the previous match ended, so those are the
    only places tried.
    """
    out, last = [], 0
    while True:
        found = None
        if 0 < last < len(text) and _LETTER.match(text, last - 1) and _LETTER.match(text, last):
            found = _LINE_END_SPLIT.match(text, last)     # the previous match ended inside a word
        if found is None:
            found = _LINE_END_SPLIT_AT_WORD.search(text, last)
        if found is None:
            break
        out += [text[last:found.start()], " "]
        last = found.end()
    out.append(text[last:])
    return "".join(out)


def join_lines(lines: list[str], lang: Language, vocab: Counter) -> tuple[str, list[str]]:
    """Join the lines of one block; returns the text and the hyphenation decisions.

    >>> from cleaner.languages import EN, ZH
    >>> join_lines(["the recon-", "struction of", "a well-", "known bridge"], EN,
    ...            Counter({"reconstruction": 1, "well": 2, "known": 3}))
    ('the reconstruction of a well-known bridge', ['recon-struction → reconstruction', 'well-known kept'])
    >>> join_lines(["突出基层治理", "打造和谐议事厅"], ZH, Counter())[0]
    '突出基层治理 打造和谐议事厅'
    """
    lines = [line.strip(_SPACE) for line in lines if line.strip(_SPACE)]
    if not lines:
        return "", []
    if (not lang.spaced and len(lines) > 1 and all(len(x) <= 20 for x in lines)
            and not any(lang.sentence_end.search(x) for x in lines)):
        return " ".join(lines), []
    # The text so far is kept as pieces and only its end is searched: a block of 50,000
    # wrapped lines grew and searched the whole string at every line (quadratic). A run
    # of letters longer than the window (no word is) is read as its last _END letters.
    pieces, notes = [lines[0]], []
    for line in lines[1:]:
        end = _last(pieces, _END)
        hyphen = _HYPHEN_END.search(end)
        start = _WORD_START.match(line)
        if hyphen and start:
            left, right = hyphen.group(1), start.group(1)
            joined = (left + right).lower()
            hyphenated = f"{left}-{right}".lower()
            keep = vocab.get(hyphenated, 0) > vocab.get(joined, 0) or (
                vocab.get(joined, 0) == 0 and vocab.get(left.lower(), 0) > 0 and vocab.get(right.lower(), 0) > 0)
            if keep:
                pieces.append(line)
                notes.append(f"{left}-{right} kept")
            else:
                while not pieces[-1]:
                    pieces.pop()
                pieces[-1] = pieces[-1][:-1]
                pieces.append(line)
                notes.append(f"{left}-{right} → {left}{right}")
        elif not lang.spaced and (_CJK_END.search(end) or _CJK_START.search(line)):
            pieces.append(line)
        else:
            pieces.extend((" ", line))
    return "".join(pieces), notes


#: how much of the end of a block's text ``join_lines`` looks at
_END = 1000


def _last(pieces: list[str], n: int) -> str:
    """The last ``n`` characters of ``"".join(pieces)``, read from the last pieces only."""
    out, size = [], 0
    for piece in reversed(pieces):
        out.append(piece)
        size += len(piece)
        if size >= n:
            break
    return "".join(reversed(out))[-n:]


def classify(text: str, lang: Language) -> tuple[str, str | None, str]:
    """(kind, region, text) of a non-marker block.

    >>> from cleaner.languages import ZH
    >>> classify("鲁西新区:", ZH)
    ('kicker', '鲁西新区', '')
    >>> classify("突出党群服务 打造家门口“服务窗”", ZH)[0]
    'heading'
    """
    if not text.strip():
        # also a block of whitespace that lines are not stripped of (U+2003, U+2009, a form
        # feed inside a page): it has no letters, and English headings split it into no words
        return "empty", None, text
    m = lang.kicker.match(text)
    if m:
        rest = m.group("rest").strip(_SPACE)
        if len(rest) <= lang.max_heading and not lang.sentence_end.search(rest):
            region = m.groupdict().get("region") or m.groupdict().get("county") or ""
            return "kicker", region.strip(_SPACE), rest
    if is_heading_like(text, lang):
        return "heading", None, text
    return "body", None, text


_NUMBERED = re.compile(r"^[一二三四五六七八九十]{1,3}、")


def is_heading_like(text: str, lang: Language) -> bool:
    """Short, unfinished, without inner sentence ends: a headline or section heading."""
    if len(text) > lang.max_heading or lang.sentence_end.search(text):
        return False
    if text[-1] in ",\uff0c、:\uff1a;\uff1b(\uff08[“‘-—" or ends_sentence(text, lang):
        return False
    # (a numbered section heading opens with its number: "一、健全工作机制")
    if not lang.spaced and any(c in _NUMBERED.sub("", text, count=1) for c in ",\uff0c、"):
        return False
    if lang.body_cue is not None and lang.body_cue.search(text):
        return False
    if reads_as_prose(text, lang):
        return False      # articles and auxiliaries: a cut line of running text, not a heading
    if lang.spaced:
        last = text.split()[-1].lower().strip("\"'”’)")
        if last in lang.function_words or last[-1:].isdigit() and not text[:1].isdigit():
            return False
        first = text.lstrip("\"'“‘(")[:1]
        return bool(first) and (first.isupper() or first.isdigit()) and len(text.split()) <= 16
    return True


def segment(text: str, lang: Language) -> tuple[tuple[Block, ...], tuple[Decision, ...]]:
    """Cut ``text`` into classified blocks, recording markers, empties and line mends."""
    vocab = _vocabulary(text) if lang.spaced else Counter()
    blocks: list[Block] = []
    decisions: list[Decision] = []
    spans: list[tuple[int, int, list[tuple[int, int]]]] = []
    raw = _raw_blocks(text)
    # a dump without blank lines between paragraphs: find the paragraph ends inside
    unbroken = bool(raw) and sum(len(lines) for _, _, lines in raw) / len(raw) >= LONG_BLOCK
    for start, end, lines in raw:
        if _one_per_line(text, lines, lang):
            spans.extend((a, b, [(a, b)]) for a, b in lines)
        elif unbroken and len(lines) >= LONG_BLOCK:
            spans.extend(_paragraphs_in(text, lines, lang))
        else:
            spans.append((start, end, lines))
    for start, end, lines in spans:
        ends = [y for _x, y in lines]
        for a, b, direction in _split_markers(text, start, end, lang):
            a, b = _trim(text, a, b)
            if a >= b:
                continue
            index = len(blocks)
            if direction:
                blocks.append(Block(index, a, b, text[a:b], "marker", marker=direction))
                decisions.append(Decision(STAGE, index, "marker", f"continuation marker ({direction})"))
                continue
            # only the lines this part overlaps, found by bisection (a long block cut by
            # thousands of markers looked at every line for every part: quadratic)
            parts = []
            for n in range(bisect_right(ends, a), len(lines)):
                x, y = lines[n]
                if x >= b:
                    break
                if min(b, y) > max(a, x):
                    parts.append(text[max(a, x):min(b, y)])
            joined, notes = join_lines(parts, lang, vocab)
            kind, region, shown = classify(joined, lang)
            blocks.append(Block(index, a, b, shown, kind, region=region))
            for note in notes:
                decisions.append(Decision(STAGE, index, "hyphen", note))
            if kind == "empty":
                decisions.append(Decision(STAGE, index, "empty", "no letters"))
    return tuple(blocks), tuple(decisions)
