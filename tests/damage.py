"""Deterministic damage simulator: clean articles in, a broken page dump out.

A page is laid out from 2-4 clean articles (``tests/corpus/<lang>/*.json``, format in
``tests/corpus/README.md``) and then broken the way real page dumps break. The model is
``samples/heze_page.txt``, a real damaged page; each damage below names the lines of
that sample it imitates. The clean articles are the page's gold, in the reference format
of ``../shared/eval/score.py``, and every damage keeps every clean paragraph on the page
(possibly split across blocks), so the gold is exactly recoverable.

    >>> article = {"region": "甲县", "kicker": "甲县", "headline": "修路",
    ...            "title": "甲县:修路", "headings": [],
    ...            "paragraphs": ["甲县今年新修了三条乡村公路,方便群众出行。",
    ...                           "道路全长十二公里,总投资八百万元,年底前全部完工。"]}
    >>> page = damage_page([article], seed=1, lang="zh")
    >>> page == damage_page([article], seed=1, lang="zh")
    True
    >>> page.gold["articles"][0]["paragraphs"] == article["paragraphs"]
    True

Layout (no damage yet)
    Articles follow each other in the given order. A kicker article starts with one block
    ``单县:headline`` or two blocks ``单县:`` / ``headline`` (en ``ADAMS COUNTY: headline``
    or ``ADAMS COUNTY:`` / ``headline``); a plain article starts with its headline. Each
    paragraph, section headings included, is one block; blocks are separated by a blank
    line. English body blocks are hard-wrapped at a width of 55-75 characters, and words
    of 9+ letters are sometimes hyphenated at the line end (``recon-\\nstruction``);
    headlines and headings are not wrapped. Sample lines 3-5: title block, then lede.

Damages (the log prefix, what it does, the sample lines it imitates)
    cut        (a) A paragraph is cut mid-sentence into two consecutive blocks: zh at any
               character away from punctuation, even mid-word; en at a line end,
               sometimes right after a hyphenated word. Lines 41/43 "更是近距离服" /
               "务群众的重要渠道", 15/17 "乡镇(街" / "道)", 31/33 "支" / "持".
    tail       (b) An article's tail (its last 25-50% of body blocks, cut at a block
               boundary or mid-paragraph) moves inside the previous or next article,
               between two of its blocks or after its last, behind a marker block
               ("(上接B6版)", "(Continued from Page A1)"); sometimes a "(下转B6版)" /
               "See BUDGET, Page A5" marker is left at the cut. Lines 57/59:
               "(上接B6版)" after the end of 单县, then 鲁西新区's "道党工委—…", the
               tail of line 47's "建立了“街".
    kicker     (c) An article's kicker and headline come after its first 1-4 body blocks.
               Lines 94-96: "鲁西新区:" and its headline after part of its own body.
    dup        (d) A run of 1-5 consecutive blocks is repeated once or twice (2-3
               occurrences in all) at random places: inside the same or another
               article, or between articles; sometimes only part of the run (a block
               dropped, or the last block cut short). Lines 120-128 repeat 39-47;
               130-144 repeat part of 73-92; 166-170 repeat 73-78 inside 郓城县.
    near       (e) A copy of a block with a short phrase (2-8 characters; en 1-3 words)
               replaced by another phrase of the same article. Line 118 "配强综合阵地
               工作力量" for 47 "理顺党建综合阵地工作体系".
    splice     (f) A copy of a block whose first clause is replaced by the start of its
               article's lede. Line 172 "近年来,山东省菏泽市郓城县通过健全…" + the body
               of line 174.
    trunc      (g) A copy of only the head or the tail (30-80%) of a block, cut
               mid-sentence. Lines 128 and 144: copies that stop mid-word ("…建立了“街",
               "…实训基").
    sentrep    (h) One or two sentences of a nearby paragraph of the same article are
               appended to a paragraph, the last one cut mid-sentence. Line 182 ends
               "…经营水平。比如,唐庙镇…流转土地1万亩,每", a copy from line 178.
    drift      (i) A section heading moves up by 1-3 blocks within its article (never
               above the lede nor past another heading). Line 29 "强化治理环境…" sits
               above 31-37, which belong to the previous section.
    headsplit  (j) zh only: a section heading is split over two lines at its space.
               Lines 75-76 "突出基层治理" / "打造和谐议事厅".
    noise      (k) Light encoding noise in 1-3 blocks: zh swaps half- and full-width
               punctuation (",", "(", ")", ":", ";"); en uses the ligatures "ﬁ"/"ﬂ".
               NFKC undoes both; the gold keeps the original.

Every page gets at least three kinds of damage, at least one of them a copy (dup,
near, splice, trunc), so a page read as-is always scores below 1 (given articles with
paragraphs of 20+ characters to copy, as every corpus article has). Everything is drawn
from one ``random.Random(seed)``; no global random state, no ``hash()``.
"""
from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

CORPUS_DIR = Path(__file__).parent / "corpus"

KINDS = ("cut", "tail", "kicker", "dup", "near", "splice", "trunc",
         "sentrep", "drift", "headsplit", "noise")
"""Every damage kind, as it prefixes log lines (see the module docstring)."""

KINDS_BY_LANG = {"zh": KINDS, "en": tuple(k for k in KINDS if k != "headsplit")}
"""English headings always stay on one line."""

COPY_KINDS = ("dup", "near", "splice", "trunc")
"""Damages that add text; every page gets at least one."""

CHANCE = {"cut": 0.8, "tail": 0.5, "kicker": 0.35, "dup": 0.7, "near": 0.45,
          "splice": 0.35, "trunc": 0.45, "sentrep": 0.35, "drift": 0.45,
          "headsplit": 0.5, "noise": 0.3}
"""Probability that a page gets each kind; high enough that 30 pages see them all."""

MIN_KINDS = 3
"""Pages with fewer kinds get extra copy damages."""

MIN_SIDE = 6
"""Characters kept on either side of a zh cut, so each piece stays recognisable."""

WRAP_WIDTHS = (55, 75)
HYPHEN_CHANCE = 0.5
"""Chance that a long English word that does not fit is hyphenated rather than moved."""

TITLE_ROLES = ("title", "kicker", "headline")
BODY_ROLES = ("heading", "body")

ZH_FROM_MARKERS = ("(上接{page}版)", "(上接第{n}版)", "(接{page}版)", "\uff08上接{page}版\uff09")
ZH_TO_MARKERS = ("(下转{page}版)", "(下转第{n}版)", "(转{page}版)", "\uff08下转{page}版\uff09")
EN_FROM_MARKERS = ("(Continued from Page {page})", "Continued from Page {n}",
                   "(Continued from {page})", "From Page {page}")
EN_TO_MARKERS = ("See {word}, Page {page}", "Continued on Page {n}",
                 "(Continued on {page})", "Please see {word}, Page {page}")

ZH_WIDTH_SWAPS = {",": "\uff0c", "(": "\uff08", ")": "\uff09", ":": "\uff1a", ";": "\uff1b"}
ZH_WIDTH_SWAPS.update({v: k for k, v in list(ZH_WIDTH_SWAPS.items())})
EN_LIGATURES = {"fi": "\ufb01", "fl": "\ufb02"}

_ZH_CLAUSE_END = ",\uff0c;\uff1b:\uff1a。!?\uff01\uff1f、"
_EN_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")
_ZH_SENTENCES = re.compile("[^。!?;\uff01\uff1f\uff1b]+[。!?;\uff01\uff1f\uff1b]*")
_EN_SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"'“‘(]?[A-Z])")


@dataclass(frozen=True)
class DamagedPage:
    """A damaged page, its gold articles and what was done to it.

    ``log`` has one line per damage, ``"<kind>: <details>"``; block positions in it
    are as they were when that damage was applied.
    """
    text: str
    gold: dict
    log: list

    @property
    def kinds(self) -> set[str]:
        """The damage kinds applied to this page."""
        return {line.split(":", 1)[0] for line in self.log}


@dataclass(frozen=True)
class Block:
    """One blank-line separated block of the page being built."""
    text: str
    art: int                 # index of its article on the page
    role: str                # title | kicker | headline | heading | body | marker | copy
    para: int | None = None  # index into the article's paragraphs


@dataclass(frozen=True)
class _Setting:
    """What every damage step needs: the page's random source, language, articles."""
    rng: random.Random
    lang: str
    articles: list


# ---------------------------------------------------------------- public API

def load_corpus(lang: str) -> list[dict]:
    """The clean articles of tests/corpus/<lang>/, sorted by file name."""
    articles = []
    for path in sorted((CORPUS_DIR / lang).glob("*.json")):
        with open(path, encoding="utf-8") as f:
            articles.append(json.load(f))
    return articles


def generate_pages(lang: str, n: int, seed: int = 0,
                   articles: list[dict] | None = None) -> list[DamagedPage]:
    """n damaged pages, each from 2-4 articles with distinct regions.

    ``articles`` defaults to the corpus of ``lang``; tests pass their own fixtures
    when the corpus is empty.
    """
    pool = load_corpus(lang) if articles is None else articles
    if len({a["region"] for a in pool}) < 2:
        raise ValueError(f"need articles of at least 2 regions, found {len(pool)} "
                         f"articles in {CORPUS_DIR / lang}; add some or pass articles=")
    rng = random.Random(seed)
    pages = []
    for _ in range(n):
        chosen = _choose_articles(rng, pool)
        pages.append(damage_page(chosen, rng.randrange(2**32), lang))
    return pages


def damage_page(articles: list[dict], seed: int, lang: str) -> DamagedPage:
    """Lay the articles out as one page and damage it (see the module docstring)."""
    if lang not in KINDS_BY_LANG:
        raise ValueError(f"lang must be one of {sorted(KINDS_BY_LANG)}, not {lang!r}")
    s = _Setting(random.Random(seed), lang, articles)
    chosen = [k for k in KINDS_BY_LANG[lang] if s.rng.random() < CHANCE[k]]
    log: list[str] = []

    layout = _lay_out(s)
    for kind, step in _ARTICLE_STEPS:
        if kind is None or kind in chosen:
            layout, lines = step(s, layout)
            log += lines

    blocks = [b for article_blocks in layout for b in article_blocks]
    for kind, step in _PAGE_STEPS:
        if kind in chosen:
            blocks, lines = step(s, blocks)
            log += lines
    blocks, lines = _top_up(s, blocks, log)
    log += lines
    if "noise" in chosen:
        blocks, lines = _add_noise(s, blocks)
        log += lines

    lead = "\n\n" if s.rng.random() < 0.3 else ""  # the sample starts with blank lines
    text = lead + "\n\n".join(b.text for b in blocks) + "\n"
    return DamagedPage(text=text, gold=_gold(articles), log=log)


# ---------------------------------------------------------------- page set-up

def _choose_articles(rng: random.Random, pool: list[dict]) -> list[dict]:
    """2-4 articles in random order, no two with the same region."""
    want = rng.randint(2, 4)
    chosen, regions = [], []
    for i in rng.sample(range(len(pool)), len(pool)):
        if pool[i]["region"] not in regions:
            chosen.append(pool[i])
            regions.append(pool[i]["region"])
        if len(chosen) == want:
            break
    return chosen


def _gold(articles: list[dict]) -> dict:
    """The page's reference: the clean articles, headings included."""
    return {"articles": [{"region": a["region"], "title": a["title"],
                          "paragraphs": list(a["paragraphs"])} for a in articles]}


def _title_blocks(s: _Setting, i: int, article: dict) -> list[Block]:
    """One "kicker:headline" block, or "kicker:" and "headline", or the headline."""
    headline = article.get("headline") or article["title"]
    kicker = article.get("kicker")
    if not kicker:
        return [Block(headline, i, "headline")]
    if s.rng.random() < 0.5:
        return [Block(article["title"], i, "title")]
    return [Block(kicker + ":", i, "kicker"), Block(headline, i, "headline")]


def _lay_out(s: _Setting) -> list[list[Block]]:
    """Each article as its title block(s) followed by one block per paragraph."""
    layout = []
    for i, article in enumerate(s.articles):
        headings = set(article.get("headings") or [])
        body = [Block(p, i, "heading" if j in headings else "body", j)
                for j, p in enumerate(article["paragraphs"])]
        layout.append(_title_blocks(s, i, article) + body)
    return layout


# ---------------------------------------------------------------- text helpers

def normalise_key(text: str) -> str:
    """NFKC, hyphenated line ends joined, whitespace removed: how a page's text is
    compared with clean paragraphs (the scorer's normalisation plus de-hyphenation)."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=[A-Za-z])-\s*\n\s*(?=[a-z])", "", text)
    return re.sub(r"\s+", "", text)


def _is_punct(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch).startswith("P")


def _unwrap(text: str) -> str:
    """Undo hard wrapping: join hyphenated line ends, lines become spaces."""
    text = re.sub(r"(?<=[A-Za-z])-\n(?=[a-z])", "", text)
    return re.sub(r"\s*\n\s*", " ", text)


def _wrap_units(text: str) -> list[str]:
    """Words to wrap; a word ending in "-" ("two- and") stays with the next one, so
    that every "-" at a line end is a soft hyphen."""
    units: list[str] = []
    for word in text.split():
        if units and units[-1].endswith("-"):
            units[-1] += " " + word
        else:
            units.append(word)
    return units


def _hyphen_point(unit: str, room: int) -> int | None:
    """Where to hyphenate a long word so its head (plus "-") fits in room, if anywhere."""
    m = re.fullmatch(r"([\"'“‘(]?)([A-Za-z]{9,})([^\sA-Za-z]*)", unit)
    if not m:
        return None
    start, end = m.start(2), m.end(2)
    cuts = [c for c in range(start + 3, end - 2) if c <= room and unit[c].islower()]
    # a rough syllable rule: prefer a break between a vowel and a consonant ("custo-mers")
    syllabic = [c for c in cuts if unit[c - 1] in "aeiouy" and unit[c] not in "aeiouy"]
    return max(syllabic or cuts) if cuts else None


def _wrap(text: str, rng: random.Random) -> str:
    """Hard-wrap English text at a random width, sometimes hyphenating long words."""
    width = rng.randint(*WRAP_WIDTHS)
    queue = _wrap_units(text)
    lines, line = [], ""
    while queue:
        unit = queue.pop(0)
        gap = " " if line else ""
        if len(line) + len(gap) + len(unit) <= width:
            line += gap + unit
            continue
        cut = _hyphen_point(unit, width - len(line) - len(gap) - 1)
        if cut and rng.random() < HYPHEN_CHANCE:
            lines.append(line + gap + unit[:cut] + "-")
            line = ""
            queue.insert(0, unit[cut:])
            continue
        if line:
            lines.append(line)
        line = unit
    if line:
        lines.append(line)
    return "\n".join(lines)


def _rewrap(s: _Setting, text: str) -> str:
    """English copies are wrapped afresh; zh text has no line breaks."""
    return _wrap(text, s.rng) if s.lang == "en" else text


def _flat(s: _Setting, text: str) -> str:
    return _unwrap(text) if s.lang == "en" else text


def _cut_points(s: _Setting, text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Mid-sentence cut points between lo and hi as (head end, tail start).

    zh: any character position away from punctuation; en: any space that does not
    follow a sentence end.
    """
    lo, hi = max(lo, 1), min(hi, len(text) - 1)
    if s.lang == "zh":
        return [(i, i) for i in range(lo, hi + 1)
                if not _is_punct(text[i - 1]) and not _is_punct(text[i])]
    return [(i, i + 1) for i in range(lo, hi + 1)
            if text[i] == " " and not _EN_SENTENCE_END.search(text[:i])]


def _cut_fraction(s: _Setting, text: str, low: float, high: float) -> tuple[str, str] | None:
    """Cut text mid-sentence somewhere between low and high of its length."""
    points = _cut_points(s, text, int(len(text) * low), int(len(text) * high))
    if not points:
        return None
    head_end, tail_start = s.rng.choice(points)
    return text[:head_end], text[tail_start:]


def _sentences(s: _Setting, text: str) -> list[str]:
    if s.lang == "zh":
        return _ZH_SENTENCES.findall(text)
    return [t for t in _EN_SENTENCE_BREAK.split(text) if t]


def _join(s: _Setting, parts: list[str]) -> str:
    return ("" if s.lang == "zh" else " ").join(parts)


def _split_block_text(s: _Setting, text: str) -> tuple[str, str, str] | None:
    """Cut a body block's text in two, mid-sentence: (head, tail, description).

    zh: at a character away from punctuation, MIN_SIDE characters from either end;
    en: at a line end that is not a sentence end, preferring a hyphenated one half
    of the time.
    """
    if s.lang == "zh":
        points = _cut_points(s, text, MIN_SIDE, len(text) - MIN_SIDE)
        if not points:
            return None
        i, _ = s.rng.choice(points)
        return text[:i], text[i:], f"char {i}/{len(text)}"
    lines = text.split("\n")
    ends = [k for k in range(1, len(lines)) if not _EN_SENTENCE_END.search(lines[k - 1])]
    hyphened = [k for k in ends if lines[k - 1].endswith("-")]
    if not ends:
        return None
    k = s.rng.choice(hyphened if hyphened and s.rng.random() < 0.5 else ends)
    how = "hyphenated line" if lines[k - 1].endswith("-") else "line"
    return "\n".join(lines[:k]), "\n".join(lines[k:]), f"{how} {k}/{len(lines)}"


# ---------------------------------------------------------------- article-level damages

def _positions(blocks: list[Block], roles=("body",)) -> list[int]:
    return [j for j, b in enumerate(blocks) if b.role in roles]


def _sentence_repeat(s: _Setting, layout):
    """(h) Append 1-2 sentences of a nearby paragraph, the last cut mid-sentence."""
    hosts = [(i, j) for i, blocks in enumerate(layout) for j in _positions(blocks)
             if re.search("[。!?;\uff01\uff1f\uff1b.”’\"]$", blocks[j].text)]
    if not hosts:
        return layout, []
    i, j = s.rng.choice(hosts)
    blocks = layout[i]
    sources = [k for k in _positions(blocks) if k != j and abs(k - j) <= 2]
    if not sources:
        return layout, []
    k = s.rng.choice(sources)
    sentences = _sentences(s, blocks[k].text)
    start = s.rng.randrange(len(sentences))
    run = sentences[start:start + s.rng.randint(1, 2)]
    cut = _cut_fraction(s, run[-1], 0.3, 0.8)
    if not cut:
        return layout, []
    added = _join(s, run[:-1] + [cut[0]])
    host = blocks[j]
    new = replace(host, text=_join(s, [host.text, added]))
    layout = _replace_article(layout, i, blocks[:j] + [new] + blocks[j + 1:])
    return layout, [f"sentrep: art{i} p{host.para} += {len(run)} sentence(s) of "
                    f"p{blocks[k].para}, last cut: {added[-12:]!r}"]


def _heading_drift(s: _Setting, layout):
    """(i) Move a section heading up by 1-3 blocks within its article."""
    moves = []
    for i, blocks in enumerate(layout):
        for j in _positions(blocks, ("heading",)):
            room = 0
            while (j - room - 1 >= 0 and blocks[j - room - 1].role == "body"
                   and blocks[j - room - 1].para != 0):
                room += 1
            if room:
                moves.append((i, j, room))
    if not moves:
        return layout, []
    i, j, room = s.rng.choice(moves)
    up = s.rng.randint(1, min(3, room))
    blocks = list(layout[i])
    heading = blocks.pop(j)
    blocks.insert(j - up, heading)
    return _replace_article(layout, i, blocks), [f"drift: art{i} heading p{heading.para} up {up}"]


def _split_headings(s: _Setting, layout):
    """(j) zh: put a line break at the space of one or two section headings."""
    if s.lang != "zh":
        return layout, []
    spots = [(i, j) for i, blocks in enumerate(layout)
             for j in _positions(blocks, ("heading",))
             if re.search(r"\S[ \u3000]+\S", blocks[j].text)]
    log = []
    for i, j in s.rng.sample(spots, min(len(spots), s.rng.randint(1, 2))):
        block = layout[i][j]
        text = re.sub(r"[ \u3000]+", "\n", block.text, count=1)
        layout = _replace_article(layout, i, layout[i][:j] + [replace(block, text=text)]
                                  + layout[i][j + 1:])
        log.append(f"headsplit: art{i} heading p{block.para}")
    return layout, log


def _wrap_body(s: _Setting, layout):
    """en: hard-wrap every body block (layout, not damage: nothing is logged)."""
    if s.lang != "en":
        return layout, []
    return [[replace(b, text=_wrap(b.text, s.rng)) if b.role == "body" else b
             for b in blocks] for blocks in layout], []


def _cut_paragraphs(s: _Setting, layout):
    """(a) Cut 1-4 paragraphs mid-sentence into two consecutive blocks, each once."""
    log, done = [], []
    for _ in range(s.rng.randint(1, 4)):
        spots = [(i, j) for i, blocks in enumerate(layout) for j in _positions(blocks)
                 if (i, blocks[j].para) not in done]
        if not spots:
            break
        i, j = s.rng.choice(spots)
        block = layout[i][j]
        done.append((i, block.para))
        cut = _split_block_text(s, block.text)
        if not cut:
            continue
        head, tail, how = cut
        pieces = [replace(block, text=head), replace(block, text=tail)]
        layout = _replace_article(layout, i, layout[i][:j] + pieces + layout[i][j + 1:])
        log.append(f"cut: art{i} p{block.para} at {how}")
    return layout, log


def _late_title(s: _Setting, layout):
    """(c) Put an article's kicker and headline after its first 1-4 body blocks."""
    spots = [i for i, blocks in enumerate(layout) if len(_positions(blocks, BODY_ROLES)) >= 2]
    if not spots:
        return layout, []
    i = s.rng.choice(spots)
    titles = [b for b in layout[i] if b.role in TITLE_ROLES]
    body = [b for b in layout[i] if b.role not in TITLE_ROLES]
    k = s.rng.randint(1, min(4, len(body) - 1))
    layout = _replace_article(layout, i, body[:k] + titles + body[k:])
    return layout, [f"kicker: art{i} title after {k} body block(s)"]


def _marker(s: _Setting, templates: tuple, article: dict) -> str:
    words = re.findall(r"[A-Za-z]{4,}", article.get("headline") or article["title"])
    word = max(words, key=len).upper() if words else "NEWS"
    page = s.rng.choice("ABCD") + str(s.rng.randint(1, 9))
    return s.rng.choice(templates).format(page=page, n=s.rng.randint(2, 12), word=word)


def _move_tail(s: _Setting, layout):
    """(b) Move an article's tail, after a continuation marker, into a neighbour."""
    if len(layout) < 2:
        return layout, []
    spots = [i for i, blocks in enumerate(layout) if len(_positions(blocks, BODY_ROLES)) >= 4]
    if not spots:
        return layout, []
    i = s.rng.choice(spots)
    blocks = layout[i]
    body = _positions(blocks, BODY_ROLES)
    start = body[-max(1, round(len(body) * s.rng.uniform(0.25, 0.5)))]
    last_title = max(_positions(blocks, TITLE_ROLES))
    start = max(start, last_title + 1, body[1] + 1)
    if start >= len(blocks):
        return layout, []
    kept, moved, how = list(blocks[:start]), list(blocks[start:]), "at a block boundary"
    if s.rng.random() < 0.5 and kept[-1].role == "body":
        cut = _split_block_text(s, kept[-1].text)
        if cut:
            head, tail, where = cut
            kept[-1:] = [replace(kept[-1], text=head)]
            moved.insert(0, replace(blocks[start - 1], text=tail))
            how = f"mid-paragraph p{blocks[start - 1].para} at {where}"
    from_templates, to_templates = ((ZH_FROM_MARKERS, ZH_TO_MARKERS) if s.lang == "zh"
                          else (EN_FROM_MARKERS, EN_TO_MARKERS))
    from_marker = _marker(s, from_templates, s.articles[i])
    left = ""
    if s.rng.random() < 0.5:
        to_marker = _marker(s, to_templates, s.articles[i])
        kept.append(Block(to_marker, i, "marker"))
        left = f", left {to_marker!r}"
    host = s.rng.choice([h for h in (i - 1, i + 1) if 0 <= h < len(layout)])
    spots = [p for p in range(1, len(layout[host]) + 1) if layout[host][p - 1].role in BODY_ROLES]
    if not spots:
        return layout, []
    at = s.rng.choice(spots)
    run = [Block(from_marker, i, "marker")] + moved
    layout = _replace_article(layout, i, kept)
    layout = _replace_article(layout, host, layout[host][:at] + run + layout[host][at:])
    return layout, [f"tail: art{i} last {len(moved)} block(s) from p{moved[0].para}, cut "
                    f"{how}, into art{host} at block {at} after {from_marker!r}{left}"]


def _replace_article(layout, i: int, blocks: list[Block]):
    return layout[:i] + [blocks] + layout[i + 1:]


_ARTICLE_STEPS = (
    ("sentrep", _sentence_repeat),
    ("drift", _heading_drift),
    ("headsplit", _split_headings),
    (None, _wrap_body),
    ("cut", _cut_paragraphs),
    ("kicker", _late_title),
    ("tail", _move_tail),
)


# ---------------------------------------------------------------- page-level damages

def _insert_position(s: _Setting, blocks: list[Block], near: int | None = None,
                     avoid: range = range(0)) -> int:
    """Where to insert a copy: anywhere after the first block, never between a kicker
    and its headline; half the time within 4 blocks of `near`."""
    spots = [p for p in range(1, len(blocks) + 1)
             if blocks[p - 1].role != "kicker" and p not in avoid]
    if near is not None and s.rng.random() < 0.5:
        close = [p for p in spots if abs(p - near) <= 4]
        spots = close or spots
    return s.rng.choice(spots)


def _originals(blocks: list[Block], roles=("body",), min_len: int = 20) -> list[int]:
    return [p for p, b in enumerate(blocks) if b.role in roles and len(b.text) >= min_len]


def _insert_copy(s: _Setting, blocks: list[Block], source: int, text: str):
    """Insert a copy of blocks[source] with the given text; returns (blocks, position)."""
    at = _insert_position(s, blocks, near=source)
    copy = replace(blocks[source], text=text, role="copy")
    return blocks[:at] + [copy] + blocks[at:], at


def _partial_run(s: _Setting, run: list[Block]) -> tuple[list[Block], str]:
    """Sometimes only part of a repeated run: a block dropped or the last cut short."""
    if len(run) < 2 or s.rng.random() < 0.6:
        return run, "whole"
    how = s.rng.choice(("drop first", "drop last", "drop inner", "cut last"))
    if how == "drop first":
        return run[1:], how
    if how == "drop last":
        return run[:-1], how
    if how == "drop inner" and len(run) >= 3:
        k = s.rng.randrange(1, len(run) - 1)
        return run[:k] + run[k + 1:], how
    cut = _cut_fraction(s, run[-1].text, 0.3, 0.8)
    if cut:
        return run[:-1] + [replace(run[-1], text=cut[0])], "cut last"
    return run[:-1], "drop last"


def _repeat_runs(s: _Setting, blocks: list[Block]):
    """(d) Repeat a run of 1-5 consecutive blocks once or twice at random places."""
    log = []
    for _ in range(s.rng.randint(1, 2)):
        starts = _originals(blocks, BODY_ROLES, min_len=1)
        start = s.rng.choice(starts)
        end, limit = start, min(start + s.rng.randint(1, 5), len(blocks))
        while end < limit and blocks[end].role in BODY_ROLES:
            end += 1
        run = blocks[start:end]
        for _ in range(s.rng.randint(1, 2)):
            part, how = _partial_run(s, run)
            at = _insert_position(s, blocks, avoid=range(start + 1, end))
            blocks = blocks[:at] + [replace(b, role="copy") for b in part] + blocks[at:]
            log.append(f"dup: run blocks[{start}:{end}] (art{run[0].art} p{run[0].para}.."
                       f"p{run[-1].para}) {how} at {at}")
            if at <= start:
                start, end = start + len(part), end + len(part)
    return blocks, log


def _phrase_spans(s: _Setting, text: str, size: int) -> list[tuple[int, int]]:
    """Spans of `size` characters (zh) or words (en) without punctuation."""
    if s.lang == "zh":
        return [(i, i + size) for i in range(len(text) - size + 1)
                if not any(_is_punct(c) for c in text[i:i + size])]
    words = text.split(" ")
    return [(i, i + size) for i in range(1, len(words) - size)
            if all(re.fullmatch(r"[a-z]+", w) for w in words[i:i + size])]


def _near_text(s: _Setting, text: str, donors: list[str]) -> tuple[str, str, str] | None:
    """(e) Replace a short phrase of text with one from the donors: (copy, old, new)."""
    units = text if s.lang == "zh" else text.split(" ")
    size = s.rng.randint(2, 8) if s.lang == "zh" else s.rng.randint(1, 3)
    spans = _phrase_spans(s, text, size)
    donor = s.rng.choice(donors)
    donor_units = donor if s.lang == "zh" else donor.split(" ")
    new_size = max(1, size + s.rng.randint(-1, 1))
    donor_spans = _phrase_spans(s, donor, new_size)
    if not spans or not donor_spans:
        return None
    i, j = s.rng.choice(spans)
    a, b = s.rng.choice(donor_spans)
    old, new = units[i:j], donor_units[a:b]
    if old == new:
        return None
    copy = units[:i] + new + units[j:]
    if s.lang == "zh":
        return copy, old, new
    return " ".join(copy), " ".join(old), " ".join(new)


def _near_copies(s: _Setting, blocks: list[Block]):
    """(e) Insert 1-2 near-copies of body blocks."""
    log = []
    for _ in range(s.rng.randint(1, 2)):
        sources = _originals(blocks)
        if not sources:
            break
        p = s.rng.choice(sources)
        article = s.articles[blocks[p].art]
        donors = [q for q in article["paragraphs"] if len(q) >= 20]
        made = _near_text(s, _flat(s, blocks[p].text), donors) if donors else None
        if not made:
            continue
        copy, old, new = made
        blocks, at = _insert_copy(s, blocks, p, _rewrap(s, copy))
        log.append(f"near: art{blocks[at].art} p{blocks[at].para} {old!r} -> {new!r} at {at}")
    return blocks, log


def _lede_head(s: _Setting, lede: str) -> str | None:
    """The start of a lede, cut mid-clause after its first clause break."""
    if s.lang == "zh":
        first = next((i for i, c in enumerate(lede) if c in _ZH_CLAUSE_END), 0)
        points = _cut_points(s, lede, max(first + 4, MIN_SIDE), first + 20)
        return lede[:s.rng.choice(points)[0]] if points else None
    words = lede.split()
    if len(words) < 10:
        return None
    return " ".join(words[:s.rng.randint(4, 8)]).rstrip(",;:")


def _spliced_text(s: _Setting, text: str, lede: str) -> str | None:
    """(f) text with its first clause replaced by the start of the lede."""
    head = _lede_head(s, lede)
    if s.lang == "zh":
        first = next((i for i, c in enumerate(text) if c in _ZH_CLAUSE_END and i >= 2), None)
        if head is None or first is None or len(text) - first < 10:
            return None
        return head + text[first + 1:]
    m = re.search(r"[,;:] ", text[:150])
    rest = text[m.end():] if m else " ".join(text.split(" ")[s.rng.randint(4, 8):])
    if head is None or len(rest) < 20:
        return None
    return head + " " + rest


def _spliced_copies(s: _Setting, blocks: list[Block]):
    """(f) Insert a copy of a body block that starts like its article's lede."""
    sources = [p for p in _originals(blocks) if blocks[p].para != 0]
    s.rng.shuffle(sources)
    for p in sources[:5]:
        lede = s.articles[blocks[p].art]["paragraphs"][0]
        spliced = _spliced_text(s, _flat(s, blocks[p].text), lede)
        if spliced and normalise_key(spliced) != normalise_key(blocks[p].text):
            blocks, at = _insert_copy(s, blocks, p, _rewrap(s, spliced))
            return blocks, [f"splice: art{blocks[at].art} p{blocks[at].para} "
                            f"starts {spliced[:16]!r} at {at}"]
    return blocks, []


def _truncated_copies(s: _Setting, blocks: list[Block]):
    """(g) Insert 1-2 copies of only the head or the tail of a body block."""
    log = []
    for _ in range(s.rng.randint(1, 2)):
        sources = _originals(blocks)
        if not sources:
            break
        p = s.rng.choice(sources)
        end = s.rng.choice(("head", "tail"))
        low, high = (0.3, 0.8) if end == "head" else (0.2, 0.7)  # keep 30-80%
        cut = _cut_fraction(s, _flat(s, blocks[p].text), low, high)
        if not cut:
            continue
        part = cut[0] if end == "head" else cut[1]
        blocks, at = _insert_copy(s, blocks, p, _rewrap(s, part))
        log.append(f"trunc: art{blocks[at].art} p{blocks[at].para} {end} "
                   f"{len(part)} chars at {at}")
    return blocks, log


_PAGE_STEPS = (
    ("dup", _repeat_runs),
    ("near", _near_copies),
    ("splice", _spliced_copies),
    ("trunc", _truncated_copies),
)


def _top_up(s: _Setting, blocks: list[Block], log: list[str]):
    """Add copy damages until the page has MIN_KINDS kinds and at least one copy kind."""
    kinds = {line.split(":", 1)[0] for line in log}
    spare = [k for k in COPY_KINDS if k not in kinds]
    s.rng.shuffle(spare)
    steps = dict(_PAGE_STEPS)
    added: list[str] = []
    while spare and (len(kinds) < MIN_KINDS or not kinds & set(COPY_KINDS)):
        kind = spare.pop()
        blocks, lines = steps[kind](s, blocks)
        added += lines
        kinds |= {line.split(":", 1)[0] for line in lines}
    return blocks, added


def _noisy(s: _Setting, text: str) -> tuple[str, str] | None:
    """(k) The text with some punctuation widths swapped (zh) or ligatures (en)."""
    table = ZH_WIDTH_SWAPS if s.lang == "zh" else EN_LIGATURES
    present = [k for k in table if k in text]
    if not present:
        return None
    picked: list[str] = []
    for old in s.rng.sample(present, min(len(present), s.rng.randint(1, 2))):
        if table[old] not in picked:  # never swap a character and then swap it back
            picked.append(old)
    for old in picked:
        text = text.replace(old, table[old])
    return text, " ".join(f"{old!r}->{table[old]!r}" for old in picked)


def _add_noise(s: _Setting, blocks: list[Block]):
    """(k) Light encoding noise in 1-3 blocks."""
    table = ZH_WIDTH_SWAPS if s.lang == "zh" else EN_LIGATURES
    spots = [p for p, b in enumerate(blocks) if any(k in b.text for k in table)]
    log = []
    for p in sorted(s.rng.sample(spots, min(len(spots), s.rng.randint(1, 3)))):
        text, how = _noisy(s, blocks[p].text)
        blocks = blocks[:p] + [replace(blocks[p], text=text)] + blocks[p + 1:]
        log.append(f"noise: block {p} {how}")
    return blocks, log
