"""tidy: a sentence printed twice inside one article is kept once; nothing else changes."""
from __future__ import annotations

import pytest

from cleaner.languages import EN, ZH
from cleaner.tidy import tidy
from cleaner.types import Article, Paragraph

S1 = "甲县今年新修了三条乡村公路。"
S2 = "道路全长十二公里,总投资八百万元。"
S3 = "沿线村庄依托便利交通发展果蔬种植。"
BOILERPLATE_JIA = "下一步,甲县将继续坚持党建引领,推动乡村振兴取得更大成效。"


def article(region: str, *paragraphs: str, first_block: int = 1, lang: str = "zh") -> Article:
    paras = tuple(Paragraph(text, (first_block + n,)) for n, text in enumerate(paragraphs))
    return Article(region, f"{region}:标题", paras, (first_block - 1,), lang)


def texts(articles) -> list[list[str]]:
    return [[p.text for p in a.paragraphs] for a in articles]


def test_clean_articles_pass_unchanged():
    given = (article("甲县", S1 + S2, S3), article("乙县", "乙县新建了十个农家书屋。", first_block=10))
    out, decisions = tidy(given, ZH)
    assert out == given
    assert decisions == ()


def test_sentence_repeated_at_the_end_of_another_paragraph_is_removed():
    """Sample line 182: a neighbour's sentences pasted after a paragraph's own."""
    out, decisions = tidy((article("甲县", S1 + S2, S3 + S1),), ZH)
    assert texts(out) == [[S1 + S2, S3]]
    assert [(d.stage, d.block, d.action) for d in decisions] == [("tidy", 2, "trimmed")]
    assert S1 in decisions[0].detail


def test_cut_down_repeat_is_removed():
    out, _ = tidy((article("甲县", S1 + S2, S3 + "道路全长十二公里,总投资"),), ZH)
    assert texts(out) == [[S1 + S2, S3]]


def test_near_repeat_is_removed():
    nearly = "道路全长十二公里,总投资八百万元整。"
    out, _ = tidy((article("甲县", S1 + S2, S3 + nearly),), ZH)
    assert texts(out) == [[S1 + S2, S3]]


def test_different_sentences_of_the_same_genre_stay():
    other = "道路全长二十公里,总投资九百万元。"
    out, decisions = tidy((article("甲县", S1 + S2, S3 + other),), ZH)
    assert texts(out) == [[S1 + S2, S3 + other]]
    assert decisions == ()


def test_boilerplate_shared_by_two_articles_stays_in_both():
    """"下一步,XX将继续坚持党建引领…" in two articles: only repeats within one article go."""
    given = (article("甲县", S1, BOILERPLATE_JIA), article("乙县", "乙县新建了十个农家书屋。", BOILERPLATE_JIA, first_block=10))
    out, decisions = tidy(given, ZH)
    assert texts(out) == [[S1, BOILERPLATE_JIA], ["乙县新建了十个农家书屋。", BOILERPLATE_JIA]]
    assert decisions == ()


def test_short_sentences_are_left_alone():
    out, _ = tidy((article("甲县", "好。好。对。", "是的。是的。"),), ZH)
    assert texts(out) == [["好。好。对。", "是的。是的。"]]


def test_paragraph_of_only_repeats_is_dropped_and_recorded():
    out, decisions = tidy((article("甲县", S1 + S2, S3, S2),), ZH)
    assert texts(out) == [[S1 + S2, S3]]
    assert [(d.block, d.action) for d in decisions] == [(3, "trimmed"), (3, "copy")]


def test_paragraph_of_only_repeats_names_the_block_that_carries_it():
    _, decisions = tidy((article("甲县", S1 + S2, S3, S2),), ZH)
    copy = next(d for d in decisions if d.action == "copy")
    assert copy.other == 1


def test_trim_names_the_block_that_held_the_sentence():
    given = Article("甲县", "甲县:标题", (Paragraph(S1, (1,)), Paragraph(S1 + "道路全长十二公里,总投资八百万元。", (2, 3))), (0,))
    _, decisions = tidy((given,), ZH)
    assert [(d.block, d.action) for d in decisions] == [(2, "trimmed")]


def test_english_repeat_with_other_end_punctuation():
    given = article("ADAMS COUNTY", "The board met on Tuesday. It passed the budget.",
                    "Taxes stay the same. It passed the budget!", lang="en")
    out, _ = tidy((given,), EN)
    assert texts(out) == [["The board met on Tuesday. It passed the budget.", "Taxes stay the same."]]


def test_headings_and_blocks_are_kept():
    given = Article("甲县", "甲县:标题", (Paragraph("修路 架桥", (1,), "heading"), Paragraph(S1 + S2, (2, 3)),
                                         Paragraph(S3 + S1, (4,))), (0,))
    (out,), _ = tidy((given,), ZH)
    assert [(p.text, p.blocks, p.kind) for p in out.paragraphs] == [
        ("修路 架桥", (1,), "heading"), (S1 + S2, (2, 3), "body"), (S3, (4,), "body")]
    assert (out.region, out.title, out.title_blocks, out.lang) == ("甲县", "甲县:标题", (0,), "zh")


def test_tidy_is_idempotent():
    once, _ = tidy((article("甲县", S1 + S2, S3 + S1, S2),), ZH)
    twice, decisions = tidy(once, ZH)
    assert twice == once
    assert decisions == ()
