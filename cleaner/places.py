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
_ZH_NOT_NAME = set("在到从于对向把被是的了和与及或将为等全本该各其我们你他这那")
_EN_DATELINE = re.compile(r"^(?P<city>[A-Z][A-Z.'’\-]{1,20}(?:[ \t][A-Z][A-Z.'’\-]{1,20}){0,3})(?:,[ \t][A-Z][A-Za-z.]{1,12})?[ \t]{0,3}(?:—|–|--)")
_EN_COUNTY = re.compile(r"\b(?P<place>[A-Z][a-z]+(?:[ \t][A-Z][a-z]+){0,2}[ \t](?:County|Township|Borough|Parish))\b")
_EN_AREA = re.compile(r"\bthe[ \t](?P<place>[A-Z][a-z]+(?:[ \t][A-Z][a-z]+){0,2})[ \t](?:area|region|valley)\b")


def _zh_candidates(text: str) -> list[tuple[int, str]]:
    out = []
    for m in _ZH_SUFFIX.finditer(text):
        for size in (2, 3, 4):
            start = m.start() - size
            if start < 0:
                break
            name = text[start:m.end()]
            if not all("\u4e00" <= c <= "\u9fff" for c in name) or name[0] in _ZH_NOT_NAME:
                continue
            out.append((start, name))
    return out


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
    # at each position keep the best-attested spelling; then prefer the most specific
    # name of a chain (省…市…县 → 县) among those that recur
    best_at: dict[int, str] = {}
    for start, name in candidates:
        end = start + len(name)
        current = best_at.get(end)
        if current is None or counts[name] > counts[current] or (counts[name] == counts[current] and len(name) < len(current)):
            best_at[end] = name
    names = [best_at[end] for end in sorted(best_at)]
    recurring = [n for n in names if counts[n] >= 2]
    pool = recurring or names
    chain = [n for n in pool if n.endswith(("县", "区", "旗"))]
    return (chain or pool)[0]
