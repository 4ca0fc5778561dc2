"""The only place bytes become text: encodings, mojibake repair (ftfy), page splitting.

``decode`` picks an encoding (a byte-order mark, UTF-16 without one told by its zero
bytes, strict UTF-8, or charset-normalizer's best guess, with GB2312/GBK widened to
GB18030, Big5 to Big5-HKSCS and Latin-1 to Windows-1252), ``repair`` runs ftfy with settings that
never change correct text's own form (curly quotes and full-width punctuation stay),
and ``split_pages`` cuts a dump at form feeds.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import ftfy
import ftfy.fixes

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
_EARLY_SEPARATORS = re.compile("[\u2028\u2029\v]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f\u200b\ufeff]")

_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, normalization="NFC",
                             fix_c1_controls=False)


def _untouched_test():
    """A test that proves ftfy (the version read here, with ``_FTFY``) would return a
    text unchanged, or None where this version or these settings are not the ones the
    proof was written for (then ftfy always runs).

    ftfy spends most of its time proving exactly that on correct text: its mojibake
    pattern over every character (0.7 s of 1.2 s over 401 simulated pages) and two
    character tables. Each of its steps changes nothing when:

    - mojibake: ``badness.BADNESS_RE`` finds nothing. Every branch of that pattern holds
      a character outside ASCII that the pattern names, and matches at most seven
      characters (its width, read from the pattern), so it is searched only in the
      windows around such characters (``^`` still means the text's start there:
      ``search`` with bounds);
    - HTML entities, terminal escapes, line breaks, surrogates, ligatures and control
      characters: none of the characters those steps replace is present;
    - normal form: the text is already NFC.
    """
    from ftfy import badness, chardata

    if ftfy.__version__ != "6.3.1" or _FTFY != ftfy.TextFixerConfig(
            unescape_html="auto", remove_terminal_escapes=True, fix_encoding=True, restore_byte_a0=True,
            replace_lossy_sequences=True, decode_inconsistent_utf8=True, fix_c1_controls=False,
            fix_latin_ligatures=True, fix_character_width=False, uncurl_quotes=False, fix_line_breaks=True,
            fix_surrogates=True, remove_control_chars=True, normalization="NFC",
            max_decode_length=1_000_000, explain=True):
        return None
    pattern = badness.BADNESS_RE.pattern
    try:
        import re._parser as sre_parse      # (Python 3.11+; the widest match, 7 characters)
        _narrowest, reach = sre_parse.parse(pattern, badness.BADNESS_RE.flags).getwidth()
    except (ImportError, AttributeError, re.error):
        return None
    if reach > 16:
        return None
    named = {c for c in pattern if ord(c) > 127}
    for a, b in re.findall(r"([^\x00-\x7f])-([^\x00-\x7f])", pattern):
        named.update(chr(c) for c in range(ord(a), ord(b) + 1))
    suspect = re.compile("[" + "".join(re.escape(c) for c in sorted(named)) + "]")
    replaced = set("&\x1b\r\u2028\u2029\u0085") | {chr(c) for c in chardata.LIGATURES} \
        | {chr(c) for c in chardata.CONTROL_CHARS}
    touched = re.compile("[" + "".join(re.escape(c) for c in sorted(replaced)) + "\ud800-\udfff]")
    bad = badness.BADNESS_RE

    def untouched(text: str) -> bool:
        if touched.search(text) or not unicodedata.is_normalized("NFC", text):
            return False
        # the windows of a match's width either side of each named character, merged
        # where they overlap: a match holds a named character, so lies in its window
        start = end = -1
        for m in suspect.finditer(text):
            at = m.start()
            if at - reach > end:
                if end >= 0 and bad.search(text, start, end):
                    return False
                start = max(0, at - reach)
            end = at + reach + 1
        return not (end >= 0 and bad.search(text, start, end))

    return untouched


_UNTOUCHED = _untouched_test()


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
    if b"\x00" in data[:8192]:
        # real text holds no NUL; zeros mean UTF-16 without a byte-order mark, or binary
        # (checked before UTF-8, since ASCII in UTF-16 is also valid UTF-8, NULs and all)
        guessed = _utf16_without_bom(data)
        if guessed is None:
            raise EncodingError("this looks like a binary file, not text: pass a text or JSON Lines dump")
        return guessed
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_binary(data):
        raise EncodingError("this looks like a binary file, not text: pass a text or JSON Lines dump")
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    best = results.best()
    if best is None or best.encoding is None:
        raise EncodingError("cannot tell the text encoding: give it with --encoding, for example --encoding gb18030")
    name = _prefer(data, best, results)
    name = _WIDEN.get(name.replace("-", "_").lower(), name)
    name = _WIDEN.get(codecs.lookup(name).name, codecs.lookup(name).name)
    try:
        return data.decode(name), name
    except UnicodeDecodeError:
        return str(best), best.encoding


#: when the detector scores several encodings the same, the most widely used one wins
_PREFERRED = ("gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp1252", "latin_1", "iso8859_15",
              "shift_jis", "euc_jp", "euc_kr", "cp1251", "koi8_r")
#: single-byte codepages for Latin script that charset-normalizer cannot tell apart on
#: short or mostly-ASCII English text (its coherence score is noise there, and it may
#: leave Windows-1252 out of its list); Windows-1252, the web's reading of "Latin-1",
#: wins when the detector finds its reading no messier than the best guess's
_LATIN_SINGLE_BYTE = {"cp1250", "cp1252", "cp1257", "cp775", "cp850", "cp852", "cp858", "hp_roman8",
                      "latin_1", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_9", "iso8859_10",
                      "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "mac_iceland",
                      "mac_latin2", "mac_roman", "mac_turkish"}


def _prefer(data: bytes, best, results) -> str:
    """The encoding to use among charset-normalizer's equally good guesses.

    >>> text = "Caf\u00e9 owners said the fa\u00e7ade would cost \u00a3200."
    >>> decode(text.encode("latin-1"))
    ('Café owners said the façade would cost £200.', 'cp1252')
    >>> decode("Zażółć gęślą jaźń, władze miasta ogłosiły budżet.".encode("cp1250"))[1]
    'cp1250'
    """
    tied = [m.encoding for m in results if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    for name in _PREFERRED:
        if name in tied:
            return name
    if best.encoding in _LATIN_SINGLE_BYTE and best.encoding != "cp1252":
        from charset_normalizer import from_bytes

        western = from_bytes(data, cp_isolation=["cp1252"]).best()
        if western is not None and western.chaos <= best.chaos:
            return "cp1252"
    return best.encoding


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a byte-order mark: the byte order whose reading is plain text.

    Read in the wrong order, ASCII becomes U+xx00 characters and CJK becomes a scatter
    over the whole plane, so a reading is accepted only when almost all of it lies in the
    blocks that newspapers are written in (:data:`_TEXT_BLOCKS`), without U+xx00.

    >>> _utf16_without_bom("单县:创建示范片区\\n近年来,单县紧紧围绕主线。\\n".encode("utf-16-le"))[1]
    'utf-16-le'
    >>> _utf16_without_bom("ADAMS COUNTY: Budget adopted\\n".encode("utf-16-be"))[1]
    'utf-16-be'
    >>> _utf16_without_bom(bytes(range(256)) * 4) is None
    True
    """
    if len(data) % 2:
        return None
    best: tuple[float, str, str] | None = None
    for order in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(order)
        except UnicodeDecodeError:
            continue
        sample = text[:32768]
        plain = sum(1 for c in sample if _plain(ord(c))) / max(len(sample), 1)
        if best is None or plain > best[0]:
            best = (plain, text, order)
    if best is None or best[0] < 0.95:
        return None
    return best[1], best[2]


#: Unicode blocks of ordinary text: Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari,
#: Thai, punctuation, CJK, kana, Hangul and full-width forms
_TEXT_BLOCKS = ((0x0009, 0x000D), (0x0020, 0x007E), (0x00A0, 0x024F), (0x0370, 0x06FF), (0x0900, 0x097F),
                (0x0E00, 0x0E7F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20BF), (0x2100, 0x21FF),
                (0x3000, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xFF00, 0xFFEF))


def _plain(code: int) -> bool:
    if code > 0xFF and code & 0xFF == 0:
        return False
    return any(lo <= code <= hi for lo, hi in _TEXT_BLOCKS)


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) // 20


def repair(text: str) -> tuple[str, tuple[str, ...]]:
    """Fix mojibake and unsafe characters; returns the text and the repairs made.

    Line separators (U+0085, U+2028, U+2029) become newlines and other control characters
    go, so every later output stays one record per line.

    >>> repair("cafÃ© au lait")[0]
    'café au lait'
    """
    steps: list[str] = []
    # Separators that cannot be part of mojibake go first (ftfy would delete U+000B).
    # U+0085 can be a byte of UTF-8 read as Latin-1, so it waits until ftfy has repaired
    # the mojibake; only then is a lone one a line separator, and only then are the other
    # C1 controls read as Windows-1252 (ftfy's fix_c1_controls, which would turn it into …).
    unified = text.replace("\r\n", "\n").replace("\r", "\n")
    separated = _EARLY_SEPARATORS.sub("\n", unified)
    if _UNTOUCHED is not None and _UNTOUCHED(separated):
        fixed, explanation = separated, None      # (what ftfy would return, proven cheaply)
    else:
        fixed, explanation = ftfy.fix_and_explain(separated, config=_FTFY)
    for step in explanation or ():
        steps.append(f"{step.action} {step.parameter}")
    late = fixed.replace("\u0085", "\n")
    if late != fixed or separated != unified:
        steps.append("line separators to newlines")
    c1 = ftfy.fixes.fix_c1_controls(late)
    if c1 != late:
        steps.append("fix_c1_controls")
    cleaned = _CONTROLS.sub("", c1)
    if cleaned != c1:
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
