"""What the pipeline knows about each writing system, kept in one table per language.

The stages themselves are language-neutral: they ask this module whether a fragment
ends a sentence, where its sentences break, what a continuation marker or a region
kicker looks like, and how to shingle it. Adding a language means adding a
:class:`Language` here, not a code path elsewhere.

All patterns are linear-time: no nested quantifiers, bounded repetitions only, and a
lookbehind where an unbounded run would otherwise be reread from each of its characters
(tests/test_hostile.py times every pattern on adversarial 100 KB strings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: code point ranges of ideographs (with kana and Hangul) and of Latin letters, for
#: ``detect`` to count
_CJK = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x3040, 0x30FF), (0xAC00, 0xD7AF))
_LATIN = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F))


@dataclass(frozen=True)
class Language:
    """Per-language tables. ``spaced``: words are separated by spaces (word shingles,
    lines joined with a space); otherwise characters are the unit (character shingles,
    lines joined with nothing)."""

    code: str
    spaced: bool
    #: a sentence ends after one of these (closing quotes/brackets may follow)
    sentence_end: re.Pattern
    #: a whole fragment ends a sentence
    fragment_end: re.Pattern
    #: continuation markers: "from" (this text continues something printed elsewhere)
    marker_from: re.Pattern
    #: continuation markers: "to" (the text continues elsewhere)
    marker_to: re.Pattern
    #: kicker: a region label before the headline, group "region" and group "rest"
    kicker: re.Pattern
    #: a paragraph that opens an article (dateline, 本报讯, 近年来,…)
    lede: re.Pattern
    #: longest heading/headline, in characters
    max_heading: int
    #: an item paragraph opening with a short lead phrase ("健全工作机制。…",
    #: "资金整合投入,实现示范引领。…"), as opposed to a section's introduction; None where
    #: the language's papers have no such habit
    item_lead: re.Pattern | None = None
    #: words a headline never ends on; a short line ending on one is a cut sentence
    function_words: frozenset[str] = frozenset()
    #: a line that reads as running text, never as a heading (reported speech: "…said the
    #: county had little"); None where no such cue is known
    body_cue: re.Pattern | None = None
    #: a line that may head a section but hardly ever a whole article (English headlines
    #: drop the leading article: "Farms added", not "The farms range from…")
    not_headline: re.Pattern | None = None
    #: words headline style leaves out (articles, auxiliaries, relative words): a line
    #: holding two of them reads as a cut sentence of running text, not as a headline
    prose_words: frozenset[str] = frozenset()
    #: the number a section heading opens with ("一、", "（二）", "3."): never a headline's
    section_number: re.Pattern | None = None
    #: words a sentence never stops on (articles, prepositions, conjunctions, possessives):
    #: a cut line ending on one runs on into what follows, even into a capital ("…for a
    #: farm wagon and a" + "Model T, and now…")
    open_words: frozenset[str] = frozenset()
    #: for unspaced text: an opening no sentence has (a particle, a closing quote or a
    #: comma: "的生命线。…"), the continuation of some cut; spaced text reads the same
    #: from its letter case
    continues: re.Pattern | None = None


# "(上接B6版)", "(接第3版)", "上接第二版", "(下转A2版)", "转第4版": a page number (a letter and
# digits, or 第 + a numeral) and 版/页 (also 面, and 承 for 接, inside brackets). Inside
# brackets a short note may follow ("(上接第3版 转载)"); outside brackets nothing may, so
# running text ("传承一面红旗") is never eaten.
_ZH_PAGE = r"[ \t]{0,3}(?:第[ \t]{0,3}[0-9一二三四五六七八九十]{1,3}|[A-Za-z]?[0-9]{1,3})[ \t]{0,3}"
_ZH_MARK_FROM = re.compile(
    r"[(\uff08][ \t]{0,3}(?:上接|接|承)" + _ZH_PAGE + r"(?:版|页|面)[^)\uff09\n]{0,12}[)\uff09]"
    r"|(?:上接|接)" + _ZH_PAGE + r"(?:版|页)")
_ZH_MARK_TO = re.compile(
    r"[(\uff08][ \t]{0,3}(?:下转|转至|转|续见)" + _ZH_PAGE + r"(?:版|页|面)[^)\uff09\n]{0,12}[)\uff09]"
    r"|(?:下转|转至|转|续见)" + _ZH_PAGE + r"(?:版|页)")

_EN_MARK_FROM = re.compile(
    r"\(?[ \t]{0,3}(?:(?:Continued|Cont(?:'|’)d|Cont\.)[ \t]{1,3}from[ \t]{1,3}(?:Page|P\.|Pg\.)?[ \t]{0,3}[A-Z]?[0-9]{1,3}[A-Z]?"
    r"|(?-i:From[ \t]{1,3}(?:Page|P\.|Pg\.)[ \t]{0,3}[A-Z]?[0-9]{1,3}[A-Z]?)"
    r"|Fortsetzung[ \t]{1,3}von[ \t]{1,3}Seite[ \t]{1,3}[0-9]{1,3}"
    r"|Suite[ \t]{1,3}de[ \t]{1,3}la[ \t]{1,3}(?:page|une)(?:[ \t]{1,3}[0-9]{1,3})?)[ \t]{0,3}\)?",
    re.IGNORECASE)
_EN_MARK_TO = re.compile(
    r"\(?[ \t]{0,3}(?:(?:Continued|Cont(?:'|’)d|Cont\.)[ \t]{1,3}on[ \t]{1,3}(?:Page|P\.|Pg\.)?[ \t]{0,3}[A-Z]?[0-9]{1,3}[A-Z]?"
    r"|(?:Please[ \t]{1,3})?See[ \t]{1,3}[A-Z][A-Z'’\- ]{0,30}(?:,|[ \t]on)[ \t]{0,3}(?:Page|P\.|Pg\.)?[ \t]{0,3}[A-Z]?[0-9]{1,3}[A-Z]?"
    r"|Fortsetzung(?:[ \t]{1,3}auf)?[ \t]{1,3}Seite[ \t]{1,3}[0-9]{1,3}"
    r"|Suite[ \t]{1,3}(?:en[ \t]{1,3})?page[ \t]{1,3}[0-9]{1,3})[ \t]{0,3}\)?",
    re.IGNORECASE)

#: "GETTYSBURG — ", "NEW BLOOMFIELD, Pa. — ": a dateline opens an article's first paragraph
_EN_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’\-]{2,20}(?:[ \t][A-Z][A-Z.'’\-]{1,20}){0,3}(?:,[ \t][A-Z][A-Za-z.]{1,12})?[ \t]{0,3}(?:[—–]|--)")

ZH = Language(
    code="zh",
    spaced=False,
    sentence_end=re.compile(r"[。!?\uff01\uff1f;\uff1b…]+[”’」』)》\"']{0,2}"),
    fragment_end=re.compile(r"(?:[。!?\uff01\uff1f…]|\.{3})[”’」』)\"']{0,2}$"),
    marker_from=_ZH_MARK_FROM,
    marker_to=_ZH_MARK_TO,
    kicker=re.compile(
        r"^(?P<region>[\u4e00-\u9fff]{1,10}(?:县|区|市|州|旗|盟|镇|乡|省|村|街道))[ \t\u3000]{0,3}[:\uff1a][ \t\u3000]{0,3}(?P<rest>.*)$",
        re.DOTALL),
    lede=re.compile(
        r"^(?:本报讯|新华社|人民网|中新网|央视网|据[^,\uff0c。]{1,12}(?:报道|消息)|(?:近|今|去|前|多)年(?:以)?来|近期|[0-9]{4}年(?:以来|[0-9]{1,2}月))"
        r"|^[^。]{0,40}?(?:本报讯|新华社|记者(?:[ \u3000]|从)|近日|日前|[0-9]{1,2}月[0-9]{1,2}日)"
        r"|^[^。]{0,16}(?:[\u4e00-\u9fff]{2,6}省)?[\u4e00-\u9fff]{2,6}市[^。]{0,20}(?:县|区|市)"),
    max_heading=40,
    # a subtitle under a headline ("——XX县推进党建工作纪实") is not one itself
    not_headline=re.compile(r"^(?:——|—|--)"),
    section_number=re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|[(\uff08][一二三四五六七八九十]{1,3}[)\uff09]|[0-9]{1,2}[.\uff0e、])"),
    # a news agency's or paper's dateline opens running text ("新华社济南5月12日电", "本报讯"),
    # even when a cut leaves it short and unfinished like a heading
    # (and so are a byline and a source or editor line: "本报记者 王晓琳", "来源：大众日报")
    body_cue=re.compile(r"^(?:本报讯|新华社|中新社|人民网|中新网|央视网|据[^,\uff0c。]{1,12}(?:报道|消息))"
                        r"|^(?:本报记者|本报通讯员|记者|通讯员|来源|责任编辑|编辑|作者)[ \t\u3000:\uff1a]"),
    continues=re.compile(r"^[的地得了着过们之,\uff0c、。;\uff1b:\uff1a!\uff01?\uff1f”’)\uff09》」』]"),
    item_lead=re.compile(r"^[^,\uff0c。;\uff1b:\uff1a“”]{2,12}。|^[^,\uff0c。;\uff1b:\uff1a“”]{2,10}[,\uff0c][^,\uff0c。;\uff1b:\uff1a“”]{2,10}。"),
)

EN = Language(
    code="en",
    spaced=True,
    # the lookbehind starts a match only where a run of .!? starts (the leftmost match
    # always did): without it a long run not followed by a space ("....x") was reread
    # from each of its characters, which is quadratic
    sentence_end=re.compile(r"(?<![.!?])(?:[.!?]+[\"'”’)\]]{0,2})(?=\s|$)"),
    fragment_end=re.compile(r"[.!?][\"'”’)\]]{0,2}$"),
    marker_from=_EN_MARK_FROM,
    marker_to=_EN_MARK_TO,
    # "ADAMS COUNTY: …" or "Adams County — …"; an all-capitals name before a dash is a
    # dateline ("GETTYSBURG — County commissioners …"), not a kicker
    kicker=re.compile(
        r"^(?:(?P<region>[A-Z][A-Z.'’\-]{1,20}(?:[ \t][A-Z][A-Z.'’\-]{1,20}){0,3})[ \t]{0,3}:"
        r"|(?P<county>[A-Z][a-z]{1,20}(?:[ \t][A-Z][a-z]{1,20}){0,2}[ \t](?:County|Parish|Borough|Township))"
        r"[ \t]{0,3}(?::|[—–]|--))[ \t]{0,3}(?P<rest>.*)$",
        re.DOTALL),
    lede=_EN_DATELINE,
    max_heading=110,
    function_words=frozenset(
        "a an the of to in for on at by with from and or but nor as than that which who whom whose "
        "is are was were be been being has have had will would shall should can could may might must "
        "its their his her our your my this these those about into over under after before between "
        "during through without within against among said says".split()),
    # (and a byline: "By JANE DOE", "By Jane Doe, Staff Writer")
    body_cue=re.compile(_EN_DATELINE.pattern + r"|\b(?:said|told)\b|^By[ \t][A-Z]"),
    not_headline=re.compile(r"^[\"'“‘]?(?:The|A|An)[ \t]"),
    section_number=re.compile(r"^(?:[0-9]{1,2}[.)]|[IVX]{1,4}\.)[ \t]"),
    prose_words=frozenset("the a an is are was were have has had been being will would that whether who which "
                          "whose said".split()),
    open_words=frozenset("a an the of to for with from by at in into onto and or nor but than its their our "
                         "your my whose through between among during without within against upon on said says told".split()),
)

LANGUAGES = {"zh": ZH, "en": EN}


def detect(text: str) -> Language:
    """The language table for ``text``: CJK when ideographs outnumber a third of letters.

    >>> detect("单县:创建党建示范片区").code
    'zh'
    >>> detect("ADAMS COUNTY: Commissioners adopt budget").code
    'en'
    """
    # counted on the code points in numpy: a regular expression's findall took ten times
    # as long, 2 % of cleaning a page (issue 7)
    codes = np.frombuffer(text[:20000].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cjk, latin = _count(codes, _CJK), _count(codes, _LATIN)
    return ZH if cjk * 3 >= latin and cjk > 0 else EN


def _count(codes: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> int:
    """How many of ``codes`` lie in one of the (inclusive) ``ranges``."""
    return sum(int(np.count_nonzero((codes >= low) & (codes <= high))) for low, high in ranges)


def get(code: str, text: str = "") -> Language:
    """The table for ``code``, or the detected one for ``"auto"``."""
    if code == "auto":
        return detect(text)
    return LANGUAGES[code]


def sentences(text: str, lang: Language) -> list[str]:
    """Split ``text`` into sentences, each keeping its end punctuation; the last piece may
    be an unfinished sentence. Concatenating the result gives back ``text`` exactly.

    >>> sentences("甲乙。丙丁!戊", ZH)
    ['甲乙。', '丙丁!', '戊']
    """
    return list(_sentences(text, lang.sentence_end))


#: how many texts ``sentences``, ``ends_sentence`` and ``reads_as_lede`` remember: a
#: page's blocks and paragraphs are a few hundred
REMEMBERED = 4096


@lru_cache(maxsize=REMEMBERED)
def _sentences(text: str, end: re.Pattern) -> tuple[str, ...]:
    """``sentences``, remembered: copies, rejoin, articles and tidy split the same blocks
    and paragraphs again (two calls in three on a page are repeats, issue 7). Keyed on the
    text and the pattern that ends a sentence, all that the split depends on."""
    out, pos = [], 0
    for m in end.finditer(text):
        out.append(text[pos:m.end()])
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return tuple(s for s in out if s)


def comma_headline(text: str, lang: Language) -> bool:
    """A line of unspaced text shaped like a headline that the heading rules leave as
    running text: one comma ("寒潮来袭，我省多地将迎大风降温天气", "“十四五”规划收官之年，
    山东交出亮眼答卷"), or a single "！"/"？" at its end ("明天起，这些新规将施行！").
    Ten to ``max_heading`` characters, no enumeration comma, at least three characters
    before the comma and four after it, no other sentence end, not a lede's opening. A
    cut piece of running text can look the same ("产业兴了，人气也回来了"), so such a line
    stays a body block: it is kept from joining what follows without evidence
    (``rejoin``) and may still be found to be a headline (``articles``).

    >>> from cleaner.languages import ZH
    >>> comma_headline("寒潮来袭，我省多地将迎大风降温天气", ZH), comma_headline("如今，东峪村苹", ZH)
    (True, False)
    >>> comma_headline("明天起，这些新规将正式施行！", ZH), comma_headline("我们一定能干好。", ZH)
    (True, False)
    """
    if lang.spaced or not 10 <= len(text) <= lang.max_heading or "、" in text:
        return False
    body = text[:-1] if text[-1] in "!?\uff01\uff1f" else text
    commas = [i for i, c in enumerate(body) if c in ",\uff0c"]
    if len(commas) > 1 or lang.sentence_end.search(body) or ends_sentence(body, lang) or reads_as_lede(text, lang):
        return False
    if not commas and body == text:
        return False      # an ordinary heading's shape: segment already calls it one
    if body[-1] in ",\uff0c:\uff1a;\uff1b(\uff08[“‘-—":
        return False
    return not commas or commas[0] >= 3 and len(body) - commas[0] - 1 >= 4


def reads_as_prose(text: str, lang: Language) -> bool:
    """Whether a short line holds two of the words headline style leaves out (articles,
    auxiliaries, relative words): a cut line of running text, never a heading.

    >>> reads_as_prose("Some residents have questioned whether the county", EN)
    True
    >>> reads_as_prose("What the money buys", EN), reads_as_prose("单县:创建示范片区", ZH)
    (False, False)
    """
    return prose_words_in(text, lang) >= 2


def prose_words_in(text: str, lang: Language) -> int:
    """How many of the words headline style leaves out a line holds."""
    if not lang.prose_words:
        return 0
    return sum(w.lower().strip("\"'“”‘’,") in lang.prose_words for w in text.split())


def reads_as_lede(text: str, lang: Language) -> bool:
    """Whether ``text`` opens the way an article's first paragraph does (``lang.lede``:
    a dateline, 本报讯, 近年来…)."""
    return _lede(text, lang.lede)


@lru_cache(maxsize=REMEMBERED)
def _lede(text: str, lede: re.Pattern) -> bool:
    """``reads_as_lede``, remembered: rejoin asks it of every candidate tail for every
    head, articles of every paragraph near every heading (28,000 searches on 196 pages,
    issue 7); keyed on the text and the pattern, all that the answer depends on."""
    return lede.search(text) is not None


def ends_sentence(text: str, lang: Language) -> bool:
    """Does this fragment end at the end of a sentence?"""
    return _ends(text, lang.fragment_end)


@lru_cache(maxsize=REMEMBERED)
def _ends(text: str, end: re.Pattern) -> bool:
    """``ends_sentence``, remembered (four calls in five on a page are repeats, issue 7);
    keyed on the text and the pattern of a sentence's end, all that the answer depends on."""
    return bool(end.search(text.rstrip()))
