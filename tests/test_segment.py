"""segment: a page → blocks with offsets, kinds, markers and mended lines."""
from __future__ import annotations

import pytest
from labelled import cases

from cleaner.languages import EN, ZH, get
from cleaner.normalise import key
from cleaner.segment import classify, segment

PAGE_ZH = """

单县:修好乡村路

近年来,山东省菏泽市单县新修农村公路三百公里,
方便了群众出行。

（上接B6版）

道路全长十二公里。(下转第3版)

突出基层治理
打造和谐议事厅

鲁西新区:

聚力阵地建设 筑牢基层堡垒
"""

PAGE_EN = """ADAMS COUNTY: Budget adopted

GETTYSBURG — The commissioners adopted the
budget on Tuesday after a recon-
struction of the well-
known courthouse.

The reconstruction began in May, and the well-known
architect was hired again.
"""


def kinds(text, lang):
    blocks, _ = segment(text, lang)
    return [(b.kind, b.region, b.marker, b.text) for b in blocks]


# ---------------------------------------------------------------- blocks and offsets

def test_blocks_of_a_chinese_page():
    assert kinds(PAGE_ZH, ZH) == [
        ("kicker", "单县", None, "修好乡村路"),
        ("body", None, None, "近年来,山东省菏泽市单县新修农村公路三百公里,方便了群众出行。"),
        ("marker", None, "from", "（上接B6版）"),
        ("body", None, None, "道路全长十二公里。"),
        ("marker", None, "to", "(下转第3版)"),
        ("heading", None, None, "突出基层治理 打造和谐议事厅"),
        ("kicker", "鲁西新区", None, ""),
        ("heading", None, None, "聚力阵地建设 筑牢基层堡垒"),
    ]


@pytest.mark.parametrize("page, lang", [(PAGE_ZH, ZH), (PAGE_EN, EN)], ids=["zh", "en"])
def test_offsets_give_the_raw_block(page, lang):
    blocks, _ = segment(page, lang)
    assert [b.index for b in blocks] == list(range(len(blocks)))
    previous_end = 0
    for b in blocks:
        raw = page[b.start:b.end]
        assert raw and raw == raw.strip(), b
        assert b.start >= previous_end  # in page order, never overlapping
        previous_end = b.end
        shown = f"{b.region}:{b.text}" if b.kind == "kicker" else b.text
        if b.kind != "marker":
            # the same words (a kept line-end hyphen joins them, a mended one too)
            assert key(shown, lang).replace(" ", "") == key(raw, lang).replace(" ", ""), b
        else:
            assert raw == b.text


def test_raw_blocks_of_the_chinese_page():
    blocks, _ = segment(PAGE_ZH, ZH)
    assert [PAGE_ZH[b.start:b.end] for b in blocks] == [
        "单县:修好乡村路",
        "近年来,山东省菏泽市单县新修农村公路三百公里,\n方便了群众出行。",
        "（上接B6版）",
        "道路全长十二公里。",
        "(下转第3版)",
        "突出基层治理\n打造和谐议事厅",
        "鲁西新区:",
        "聚力阵地建设 筑牢基层堡垒",
    ]


def test_markers_are_recorded_as_decisions():
    blocks, decisions = segment(PAGE_ZH, ZH)
    assert [(d.block, d.action) for d in decisions if d.action == "marker"] == [(2, "marker"), (4, "marker")]


def test_whitespace_only_page_has_no_blocks():
    assert segment(" \n\n\t\u3000\n\n", ZH) == ((), ())


def test_one_paragraph_per_line_dump_is_split_into_blocks():
    """A dump without blank lines: each finished, ragged line is its own block."""
    page = ("单县:修好乡村路\n"
            "近年来,山东省菏泽市单县新修农村公路三百公里,方便了群众出行。\n"
            "道路全长十二公里。\n"
            "在养护资金上,县里按照每公里每年三千元的标准拨付村道养护经费,并将养护成效纳入乡镇年度考核,"
            "考核结果与经费拨付直接挂钩,有效调动了基层管护的积极性。\n")
    assert [k[0] for k in kinds(page, ZH)] == ["kicker", "body", "body", "body"]


# ---------------------------------------------------------------- markers

@pytest.mark.parametrize("given, expect", cases("markers"))
def test_marker_cases(given, expect):
    text = given["text"]
    blocks, _ = segment(text, get(given["lang"]))
    got = [[b.kind, b.marker if b.kind == "marker" else None, text[b.start:b.end]] for b in blocks]
    assert got == expect


def test_marker_between_two_text_blocks_keeps_both():
    page = "甲县的路修好了。\n\n(上接B6版)\n\n乙县的桥建好了。"
    assert kinds(page, ZH) == [
        ("body", None, None, "甲县的路修好了。"),
        ("marker", None, "from", "(上接B6版)"),
        ("body", None, None, "乙县的桥建好了。"),
    ]


# ---------------------------------------------------------------- classification

@pytest.mark.parametrize("given, expect", cases("classify"))
def test_classify_cases(given, expect):
    assert list(classify(given["text"], get(given["lang"]))) == expect


def test_heading_split_over_two_lines_is_joined_with_a_space():
    assert kinds("突出基层治理\n打造和谐议事厅", ZH) == [("heading", None, None, "突出基层治理 打造和谐议事厅")]


def test_chinese_wrapped_body_lines_are_joined_with_nothing():
    assert kinds("近年来,单县新修农村\n公路三百公里,方便了\n群众出行。", ZH) == [
        ("body", None, None, "近年来,单县新修农村公路三百公里,方便了群众出行。")]


# ---------------------------------------------------------------- English lines and hyphens

def test_english_wrapped_lines_are_joined_with_a_space():
    assert kinds("GETTYSBURG — The commissioners adopted the\nbudget on Tuesday.", EN) == [
        ("body", None, None, "GETTYSBURG — The commissioners adopted the budget on Tuesday.")]


def test_hyphenation_mended_when_the_page_uses_the_joined_word():
    blocks, decisions = segment(PAGE_EN, EN)
    lede = blocks[1].text
    assert "after a reconstruction of the" in lede
    assert "recon-struction" not in lede
    assert ("hyphen", "recon-struction → reconstruction") in [(d.action, d.detail) for d in decisions]


def test_hyphen_kept_when_the_page_uses_the_hyphenated_word():
    blocks, decisions = segment(PAGE_EN, EN)
    assert "of the well-known courthouse." in blocks[1].text
    assert ("hyphen", "well-known kept") in [(d.action, d.detail) for d in decisions]


def test_hyphen_mended_when_the_page_has_no_opinion():
    """Neither "recon-struction" nor "reconstruction" elsewhere, nor its halves as words:
    a line-end hyphen is a soft hyphen by default."""
    blocks, _ = segment("The board approved the recon-\nstruction plan on Tuesday.", EN)
    assert blocks[0].text == "The board approved the reconstruction plan on Tuesday."


def test_hyphen_kept_when_both_halves_are_words_of_the_page():
    page = "A well-\nknown bridge.\n\nIt was known to work well."
    blocks, _ = segment(page, EN)
    assert blocks[0].text == "A well-known bridge."


def test_english_kicker_block():
    assert kinds(PAGE_EN, EN)[0] == ("kicker", "ADAMS COUNTY", None, "Budget adopted")


def test_hard_wrapped_page_without_blank_lines_is_cut_into_paragraphs():
    """A dump with no blank lines between paragraphs: a paragraph ends at a line that
    finishes a sentence short of the column, and kicker/headline lines stand alone."""
    from cleaner.segment import LONG_BLOCK
    lines = [
        "ADAMS COUNTY: Commissioners adopt 2027 budget with no tax increase",
        "GETTYSBURG — County commissioners on Tuesday adopted a $112.6 million",
        "budget for next year that holds the property tax rate steady for the",
        "fourth year in a row.",
        "The spending plan is about 4.1% larger than this year's budget. County",
        "Administrator Rachel Sentz said most of the increase comes from wages",
        "and benefits negotiated in a three-year contract with the union that",
        "represents most county employees.",
        "Library funding restored after commissioners reverse proposed cut",
        "Fulton County commissioners on Wednesday restored the library's share",
        "of next year's budget after residents filled the meeting room to",
        "object to the proposed reduction.",
    ]
    assert len(lines) >= LONG_BLOCK
    blocks, _ = segment("\n".join(lines), EN)
    texts = [(b.kind, b.text[:20]) for b in blocks]
    assert texts == [
        ("kicker", "Commissioners adopt "),
        ("body", "GETTYSBURG — County "),
        ("body", "The spending plan is"),
        ("heading", "Library funding rest"),
        ("body", "Fulton County commis"),
    ]


@pytest.mark.parametrize("line, lang", [("本报记者 王晓琳", "zh"), ("来源：大众日报", "zh"), ("责任编辑：李明", "zh"),
                                        ("By JANE DOE", "en"), ("By Jane Doe, Staff Writer", "en")])
def test_bylines_and_source_lines_are_never_headings(line, lang):
    from cleaner.languages import LANGUAGES
    from cleaner.segment import classify
    assert classify(line, LANGUAGES[lang])[0] == "body"


def test_language_detection_counts_the_characters_its_classes_name():
    """``languages.detect`` counts ideographs and Latin letters by code point ranges (numpy,
    issue 7): the same counts as the character classes it used before, over every code
    point, a lone surrogate included."""
    import re

    import numpy as np

    from cleaner import languages

    cjk = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
    latin = re.compile(r"[A-Za-z\u00c0-\u024f]")
    text = "".join(map(chr, range(0x10FFFF + 1)))
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    assert languages._count(codes, languages._CJK) == len(cjk.findall(text))
    assert languages._count(codes, languages._LATIN) == len(latin.findall(text))
    assert languages.detect("\ud800单县:创建示范片区 ABC").code == "zh"
