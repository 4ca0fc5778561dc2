"""The only place bytes become text: encodings, mojibake repair (ftfy), page splitting.

``decode`` picks an encoding (a byte-order mark, strict UTF-8, or charset-normalizer's
best guess, with GB2312/GBK widened to GB18030), ``repair`` runs ftfy with settings that
never change correct text's own form (curly quotes and full-width punctuation stay),
and ``split_pages`` cuts a dump at form feeds.
"""

from __future__ import annotations

import codecs
import re

import ftfy

from .errors import EncodingError, InputError, TooLargeError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: narrower Chinese encodings are read as their superset, which decodes strictly more
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "big5": "big5hkscs",
          "ascii": "utf-8", "iso-8859-1": "cp1252", "latin_1": "cp1252"}
#: controls that break line-oriented readers (JSON Lines, grep): turned into newlines
_LINE_SEPARATORS = re.compile("[\u0085\u2028\u2029\v]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f\u200b\ufeff]")

_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, normalization="NFC")


def decode(data: bytes, encoding: str | None = None, *, max_bytes: int | None = None) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding used)``.

    >>> decode("近年来,山东省菏泽市单县紧紧围绕党建引领乡村振兴这条主线。".encode("gb18030"))[1]
    'gb18030'
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise TooLargeError(
            f"input is {len(data):,} bytes, above the limit of {max_bytes:,}: "
            "split it into pages or raise the limit with --max-bytes")
    if encoding:
        try:
            return data.decode(encoding), codecs.lookup(encoding).name
        except LookupError:
            raise EncodingError(f"unknown encoding {encoding!r}: try utf-8, gb18030, big5 or latin-1") from None
        except UnicodeDecodeError as err:
            raise EncodingError(
                f"the bytes are not {encoding} (byte {err.start}): "
                "drop --encoding to detect it, or try gb18030, big5 or latin-1") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), name.replace("-sig", "")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_binary(data):
        raise EncodingError("this looks like a binary file, not text: pass a text or JSON Lines dump")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise EncodingError("cannot tell the text encoding: give it with --encoding, for example --encoding gb18030")
    name = _WIDEN.get(best.encoding.replace("-", "_").lower(), best.encoding)
    name = _WIDEN.get(codecs.lookup(name).name, codecs.lookup(name).name)
    try:
        return data.decode(name), name
    except UnicodeDecodeError:
        return str(best), best.encoding


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if not head:
        return False
    if b"\x00" in head:
        # UTF-16 without a BOM has a zero in every other byte for ASCII text
        even, odd = head[0::2].count(0), head[1::2].count(0)
        return not (max(even, odd) > len(head) // 4 and min(even, odd) < len(head) // 50 + 1)
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) // 20


def decode_utf16_guess(data: bytes) -> str | None:
    """UTF-16 without a BOM, told apart by where the zero bytes fall."""
    head = data[:8192]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    order = "utf-16-be" if even > odd else "utf-16-le"
    try:
        return data.decode(order)
    except UnicodeDecodeError:
        return None


def repair(text: str) -> tuple[str, tuple[str, ...]]:
    """Fix mojibake and unsafe characters; returns the text and the repairs made.

    Line separators (U+0085, U+2028, U+2029) become newlines and other control characters
    go, so every later output stays one record per line.

    >>> repair("cafÃ© au lait")[0]
    'café au lait'
    """
    steps: list[str] = []
    fixed, explanation = ftfy.fix_and_explain(text, config=_FTFY)
    for step in explanation or ():
        steps.append(f"{step.action} {step.parameter}")
    cleaned = _LINE_SEPARATORS.sub("\n", fixed.replace("\r\n", "\n").replace("\r", "\n"))
    cleaned = _CONTROLS.sub("", cleaned)
    if cleaned != fixed:
        steps.append("remove control characters")
    return cleaned, tuple(steps)


def split_pages(text: str) -> list[str]:
    """A dump may hold several pages separated by form feeds; empty pages are kept out."""
    return [page for page in text.split("\f") if page.strip()]


def read_bytes(path: str, max_bytes: int | None = None) -> bytes:
    """Read a file, with errors a person can act on."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1 if max_bytes else -1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file: check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder: pass the files inside it") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied: check the file's permissions") from None
    return data
