"""Which place an article without a kicker is about, read from its lede.

A kicker names the region outright ("单县:…", "ADAMS COUNTY: …"). A plain headline does
not, so the region is the place the lede names: the most specific administrative name
(县/区/市 for Chinese; a dateline, "X County", "the X area" for English). Chinese has no
spaces, so where a name starts is decided by how often each candidate recurs in the
article ("在聊城市" once, "聊城市" three times → 聊城市).
"""

from __future__ import annotations

import re

from .languages import Language

_ZH_SUFFIX = re.compile(r"(?:新区|县|区|市|州|旗)")
#: characters that do not start a place name ("在聊城市", "大部分地区", "菏泽市单县" → 单县)
_ZH_NOT_NAME = set("在到从于对向把被是的了和与及或将为等全本该各其我们你他这那省市县区部分大小多少地")
_ZH_DATELINE = re.compile(r"^新华社(?P<city>[\u4e00-\u9fff]{2,4}?)[0-9一二三四五六七八九十]{1,2}月")
_EN_DATELINE = re.compile(r"^(?P<city>[A-Z][A-Z.'’\-]{1,20}(?:[ \t][A-Z][A-Z.'’\-]{1,20}){0,3})(?:,[ \t][A-Z][A-Za-z.]{1,12})?[ \t]{0,3}(?:—|–|--)")
_EN_COUNTY = re.compile(r"\b(?P<place>[A-Z][a-z]+(?:[ \t][A-Z][a-z]+){0,2}[ \t](?:County|Township|Borough|Parish))\b")
_EN_AREA = re.compile(r"\bthe[ \t](?P<place>[A-Z][a-z]+(?:[ \t][A-Z][a-z]+){0,2})[ \t](?:area|region|valley)\b")


#: characters never inside a Chinese place name: a candidate holding one ("业是全市") is a
#: phrase that happens to end in 市
_ZH_NEVER_INSIDE = set("是的了和与及或将为等对在到从于向把被这那其该各全本我们你他")


#: words that end like a place name and are not one ("组建片区", "打造区域", "全省大部分地区")
_ZH_NOT_PLACE = re.compile(r"(?:片|社|地|园|景|城|辖|街|小|山|湖|库|矿|郊|政|专|校|分|示范|开发|功能)区$|(?:城|全|超|门|都)市$")


def plausible_place(name: str, lang: Language) -> bool:
    """Whether a name :func:`place_named` returned can stand as a place on its own.

    >>> from cleaner.languages import ZH
    >>> plausible_place("沂源县", ZH), plausible_place("业是全市", ZH), plausible_place("组建片区", ZH)
    (True, False, False)
    """
    if not name:
        return False
    return lang.spaced or (len(name) <= 5 and not any(c in _ZH_NEVER_INSIDE for c in name)
                           and not _ZH_NOT_PLACE.search(name))


def _zh_candidates(text: str) -> list[tuple[int, str]]:
    """(start, name) of every spelling that could be a place name ending at a suffix."""
    out = []
    for m in _ZH_SUFFIX.finditer(text):
        for size in (1, 2, 3, 4):
            start = m.start() - size
            if start < 0:
                break
            name = text[start:m.end()]
            if size == 1 and not name.endswith("县"):
                continue      # 单县, 曹县 — but never 地区, 城市
            if not all("\u4e00" <= c <= "\u9fff" for c in name) or name[0] in _ZH_NOT_NAME:
                continue
            if any(c in "省市县" for c in name[:-1]):
                continue      # spans two levels: 泽市单县
            out.append((start, name))
    return out


def _suffix_len(name: str) -> int:
    return 2 if name.endswith("新区") else 1


def place_tokens(text: str, lang: Language) -> frozenset[str]:
    """Place names a fragment mentions, for telling boilerplate of two counties apart.

    >>> from cleaner.languages import ZH
    >>> sorted(place_tokens("下一步,曹县将继续坚持", ZH))
    ['曹县']
    """
    if lang.spaced:
        return frozenset(m.group("place") for m in _EN_COUNTY.finditer(text))
    # (a candidate is a piece of ``text``: counting it there again was quadratic)
    return frozenset(name for _, name in _zh_candidates(text) if len(name) <= 4)


def place_named(lede: str, article: str, lang: Language) -> str:
    """The place ``lede`` names, checked against the whole ``article`` text; "" if none.

    >>> from cleaner.languages import ZH, EN
    >>> place_named("近日，在聊城市一所小学里……", "聊城市教育局表示…聊城市", ZH)
    '聊城市'
    >>> place_named("MOUNT JOY — After two years", "", EN)
    'Mount Joy'
    >>> place_named("Leaders serving the Waynesboro area asked", "", EN)
    'Waynesboro'
    """
    head = lede[:200]
    if lang.spaced:
        m = _EN_DATELINE.match(head)
        if m:
            return m.group("city").title()
        for pattern in (_EN_COUNTY, _EN_AREA):
            m = pattern.search(head)
            if m:
                return m.group("place")
        return ""
    candidates = _zh_candidates(head)
    if not candidates:
        return ""
    counts = {name: article.count(name) + head.count(name) for _, name in candidates}
    dateline = _ZH_DATELINE.match(head)
    if dateline:
        city = dateline.group("city") + "市"
        if city in counts or city in article:
            return city
    # at each end position keep the best-attested spelling
    best_at: dict[int, tuple[int, str]] = {}
    for start, name in candidates:
        end = start + len(name)
        current = best_at.get(end)
        # most often printed; on a tie the usual two characters before the suffix
        rank = (counts[name], -abs(end - start - _suffix_len(name) - 2))
        if current is None or rank > (counts[current[1]], -abs(len(current[1]) - _suffix_len(current[1]) - 2)):
            best_at[end] = (start, name)
    names = sorted(best_at.values())
    # a place counts when the text says where it is (…省…市 before it) or names it again
    def valid(start: int, name: str) -> bool:
        return counts[name] >= 2 or (start > 0 and head[start - 1] in "省市")
    for n, (start, name) in enumerate(names):
        if not valid(start, name):
            continue
        # go down a chain of administrative levels: 山东省菏泽市 + 单县 → 单县
        end = start + len(name)
        for later_start, later in names[n + 1:]:
            if later_start != end:
                break
            name, end = later, later_start + len(later)
        return name
    return names[0][1] if names else ""
