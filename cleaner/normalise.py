"""Matching keys: what two fragments are compared on. Output text keeps its own form.

A key is NFKC-folded, case-folded and stripped of punctuation and whitespace, so that
"(街道)" and "（街道）", or "Re-\\nconstruction" and "reconstruction", compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .languages import Language

_WORD = re.compile(r"\w+")


def key(text: str, lang: Language) -> str:
    """The matching key of ``text``.

    >>> from cleaner.languages import ZH, EN
    >>> key("(街道)产业, 向片区集中。", ZH)
    '街道产业向片区集中'
    >>> key("The Long-term PLAN.", EN)
    'the long term plan'
    """
    return _key(text, lang.spaced)


@lru_cache(maxsize=65536)
def _key(text: str, spaced: bool) -> str:
    """``key`` itself, remembered: every stage asks again for the keys of the same blocks
    and paragraphs (about 780 calls on a page of 51 blocks, five in six of them repeats,
    issue 7). Keyed on the text and on whether the language is spaced, the only things a
    key depends on, so a remembered key is the one computing it again would give."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    return " ".join(words) if spaced else "".join(words).replace("_", "")


def shingles(k: str, lang: Language, size_cjk: int = 5, size_words: int = 3) -> frozenset[str]:
    """Shingles of a key: character n-grams for CJK, word n-grams for spaced text.

    A key shorter than one shingle is its own single shingle, so short headings still
    have a fingerprint.

    >>> from cleaner.languages import ZH
    >>> sorted(shingles("甲乙丙丁", ZH, 3))
    ['乙丙丁', '甲乙丙']
    """
    if not k:
        return frozenset()
    if lang.spaced:
        words = k.split(" ")
        n = size_words
        if len(words) <= n:
            return frozenset([k])
        return frozenset(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
    n = size_cjk
    if len(k) <= n:
        return frozenset([k])
    return frozenset(k[i:i + n] for i in range(len(k) - n + 1))


def key_length(k: str, lang: Language) -> int:
    """Size of a key in its language's units: words for spaced text, characters otherwise."""
    if not k:
        return 0
    return k.count(" ") + 1 if lang.spaced else len(k)
