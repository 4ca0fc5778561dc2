"""reading: bytes → text (decode), mojibake and unsafe characters (repair), pages."""
from __future__ import annotations

import codecs

import pytest
from labelled import cases

from cleaner import clean_bytes, clean_text
from cleaner.config import Config
from cleaner.errors import EncodingError, InputError, TooLargeError
from cleaner.reading import decode, read_bytes, repair, split_pages

ZH = ("近年来,山东省菏泽市单县紧紧围绕党建引领乡村振兴这条主线,从基层实际需要出发,"
      "坚持务实管用、互惠共赢的原则。\n\n下一步,单县将继续推动片区建设。\n")
#: the same kind of sentence in traditional characters, which Big5 can encode
ZH_TRADITIONAL = ("近年來,山東省菏澤市單縣緊緊圍繞黨建引領鄉村振興這條主線,從基層實際需要出發,"
                  "堅持務實管用、互惠共贏的原則,重點創建農村黨建示範片區二十二個。\n")
EN = "ADAMS COUNTY: Budget adopted\n\nGETTYSBURG — The commissioners adopted the budget on Tuesday.\n"


# ---------------------------------------------------------------- decode

@pytest.mark.parametrize("text", [ZH, EN], ids=["zh", "en"])
def test_utf8(text):
    assert decode(text.encode("utf-8")) == (text, "utf-8")


def test_utf8_with_bom_drops_the_bom():
    assert decode(codecs.BOM_UTF8 + ZH.encode("utf-8")) == (ZH, "utf-8")


@pytest.mark.parametrize("bom, codec", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
                         ids=["le", "be"])
@pytest.mark.parametrize("text", [ZH, EN], ids=["zh", "en"])
def test_utf16_with_bom(text, bom, codec):
    assert decode(bom + text.encode(codec)) == (text, "utf-16")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_told_by_its_zero_bytes(codec):
    assert decode(EN.encode(codec)) == (EN, codec)


@pytest.mark.parametrize("codec", ["gb18030", "gbk", "gb2312"])
def test_chinese_national_encodings_read_as_gb18030(codec):
    """GBK and GB2312 are read as their superset GB18030, which decodes strictly more."""
    assert decode(ZH.encode(codec)) == (ZH, "gb18030")


def test_gb18030_only_characters():
    """A character outside GBK (U+20BB7, "𠮷") needs GB18030's four-byte form."""
    text = ZH + "𠮷野家在单县开了分店。\n"
    assert decode(text.encode("gb18030")) == (text, "gb18030")


def test_big5_read_as_big5hkscs():
    assert decode(ZH_TRADITIONAL.encode("big5")) == (ZH_TRADITIONAL, "big5hkscs")


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 8,
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
    b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00>\x00\x01\x00\x00\x00\xe0\x10@\x00" + bytes(100),
    b"\x1f\x8b\x08\x00" + bytes((i * 37 + 11) % 256 for i in range(500)),
], ids=["all-bytes", "png", "elf", "gzip"])
def test_binary_is_refused(data):
    with pytest.raises(EncodingError, match="binary"):
        decode(data)


def test_forced_wrong_encoding_is_an_error_not_mojibake():
    with pytest.raises(EncodingError, match="not utf-8") as err:
        decode(ZH.encode("gb18030"), "utf-8")
    assert "--encoding" in str(err.value)


def test_forced_right_encoding_is_used():
    assert decode(ZH.encode("gb18030"), "gb18030") == (ZH, "gb18030")


def test_unknown_encoding_name():
    with pytest.raises(EncodingError, match="unknown encoding 'klingon'"):
        decode(b"abc", "klingon")


def test_max_bytes_guard():
    data = ZH.encode("utf-8")
    assert decode(data, max_bytes=len(data))[0] == ZH
    with pytest.raises(TooLargeError, match="--max-bytes"):
        decode(data, max_bytes=len(data) - 1)


def test_max_bytes_guard_in_the_pipeline():
    small = Config(max_bytes=100)
    with pytest.raises(TooLargeError):
        clean_text(ZH * 2, small)
    with pytest.raises(TooLargeError):
        clean_bytes((ZH * 2).encode("utf-8"), small)


def test_errors_are_input_errors():
    """The CLI reports every InputError as one line; these must all be InputErrors."""
    assert issubclass(EncodingError, InputError) and issubclass(TooLargeError, InputError)


def test_empty_input_decodes_to_nothing():
    assert decode(b"") == ("", "utf-8")
    assert clean_bytes(b"") == []


# ---------------------------------------------------------------- repair

@pytest.mark.parametrize("text, expect", cases("repair"))
def test_repair_cases(text, expect):
    assert repair(text)[0] == expect


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"], ids=["U+2028", "U+2029", "U+0085"])
def test_line_separators_never_reach_the_text(separator):
    fixed, steps = repair(f"甲县修路。{separator}乙县建桥。")
    assert separator not in fixed
    assert fixed.startswith("甲县修路。") and fixed.endswith("乙县建桥。")
    assert steps  # the change is recorded


def test_repair_records_its_steps_only_when_it_changes_something():
    assert repair("近年来,单县紧紧围绕主线。") == ("近年来,单县紧紧围绕主线。", ())
    fixed, steps = repair("cafÃ© au lait")
    assert fixed == "café au lait"
    assert any("utf-8" in step for step in steps)


def test_repair_is_idempotent():
    for text in ("cafÃ© au lait", "甲\u2028乙\r\n丙", "“好”,（街道）"):
        once = repair(text)[0]
        assert repair(once) == (once, ())


def test_mojibake_page_gives_the_same_articles():
    page = "甲县:修好乡村路\n\n近年来,山东省菏泽市甲县新修农村公路三百公里,方便了群众出行。\n"
    broken = page.encode("utf-8").decode("latin-1")
    assert [a.paragraphs for a in clean_text(broken).articles] == [a.paragraphs for a in clean_text(page).articles]


# ---------------------------------------------------------------- pages and files

def test_split_pages_at_form_feeds():
    assert split_pages("甲\n\f乙\f \n\f丙") == ["甲\n", "乙", "丙"]


def test_a_dump_of_two_pages_is_two_results():
    page = "甲县:修好乡村路\n\n近年来,山东省菏泽市甲县新修农村公路三百公里。\n"
    results = clean_bytes((page + "\f" + page).encode("utf-8"), source="dump.txt")
    assert [r.source for r in results] == ["dump.txt#1", "dump.txt#2"]
    assert [r.encoding for r in results] == ["utf-8", "utf-8"]


def test_read_bytes_errors_name_the_problem(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_bytes(str(tmp_path / "missing.txt"))
    with pytest.raises(InputError, match="is a folder"):
        read_bytes(str(tmp_path))


# the cheap proof that ftfy would change nothing must agree with ftfy itself
_ALPHABET = ("abcXYZ .,;:!?&<>'\"-\n\t0123456789" "近年来山东省菏泽市单县。，、；：？！（）《》"
             "“”‘’—–…·€£¥©®°±²³µ¹¼½¾×÷ÀÂÃÄÅÆÇÈÉÊÎÐÑÒÓÕÖØÙÚÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ"
             "ŒœŠšŸŽžƒˆ˜†‡‰‹›™¦¤¨¬¯¸\xa0\xad\x85\x80\x9f│┌┐╔═║▀░√∂≠≤≥≈‚„ВГРСвЂўβΆΒΓΞΟā"
             "ﬁﬂĲ\u200b\ufeff\x1b\u0301ÅÅ\u2028")


def _ftfy_only(text):
    """``repair`` with ftfy always run."""
    import cleaner.reading as reading
    saved = reading._UNTOUCHED
    reading._UNTOUCHED = None
    try:
        return reading.repair(text)
    finally:
        reading._UNTOUCHED = saved


@pytest.mark.parametrize("text", [
    "cafÃ© au lait", "voilÃ le travail", "sÃ³", "ГўВЂВ”a", "â€œquotedâ€\x9d", "Ã\xa0 la", "Â¿QuÃ©?",
    "近年来,“党建引领”——乡村振兴…", "×²", "√±", "ﬁnalizes", "e\u0301", "line\x85break",
    "A" * 50 + "Ã©" + "B" * 50, "\ufeff近年来",
])
def test_the_cheap_proof_agrees_with_ftfy_on_known_cases(text):
    from cleaner.reading import _UNTOUCHED
    if _UNTOUCHED is None:
        pytest.skip("the proof is written for ftfy 6.3.1 (pyproject's newest); ftfy always runs here")
    assert repair(text) == _ftfy_only(text)


def test_the_cheap_proof_agrees_with_ftfy_on_generated_text():
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet=_ALPHABET, max_size=60))
    def check(text):
        assert repair(text) == _ftfy_only(text)

    check()
