"""copies: every block printed more than once becomes one unit, its best reading kept."""
from __future__ import annotations

import pytest

from cleaner import clean_text
from cleaner.config import DEFAULT
from cleaner.copies import find_copies
from cleaner.languages import EN, ZH
from cleaner.segment import segment

A = "近年来,甲县紧紧围绕乡村振兴这条主线,新修农村公路三百公里,方便了群众出行。"
B = "道路建成后,甲县落实县乡村三级路长制,由村党支部书记担任村级路长,组织保洁员开展日常巡查。"
C = "在养护资金上,县里按照每公里每年三千元的标准拨付村道养护经费,并将养护成效纳入乡镇年度考核。"


def run(blocks: list[str], lang=ZH):
    """Units and {block: (action, detail, other)} for a page of these blocks."""
    page = "\n\n".join(blocks)
    segmented, _ = segment(page, lang)
    units, decisions = find_copies(segmented, lang, DEFAULT)
    fates = {}
    for d in decisions:
        if d.action in ("kept", "copy"):
            fates[d.block] = (d.action, d.detail, d.other)
    kept = {u.block for u in units}
    for d in decisions:  # a copy always names a kept block, however long the chain
        if d.action == "copy":
            assert d.other in kept, d
    return units, fates


def test_unique_blocks_are_all_kept():
    units, fates = run([A, B, C])
    assert [(u.block, u.copies) for u in units] == [(0, ()), (1, ()), (2, ())]
    assert fates == {0: ("kept", "unique", None), 1: ("kept", "unique", None), 2: ("kept", "unique", None)}


def test_identical_copy():
    units, fates = run([A, B, C, B])
    assert fates[3] == ("copy", "identical text", 1)
    assert fates[1] == ("kept", "1 copies", None)
    assert [u.occurrences for u in units if u.block == 1] == [(1, 3)]


def test_identical_after_normalisation():
    """Width and spacing do not make a different text: full-width commas are the same key."""
    units, fates = run([A, B, C, B.replace(",", "，")])
    assert fates[3][0] == "copy" and fates[3][2] == 1


def test_three_printings_one_unit():
    units, fates = run([A, B, A, C, A])
    assert [u.occurrences for u in units if u.block == 0] == [(0, 2, 4)]
    assert fates[2] == fates[4] == ("copy", "identical text", 0)


@pytest.mark.parametrize("part", [B[:25], B[20:]], ids=["head", "tail"])
def test_truncated_copy_is_contained(part):
    units, fates = run([A, B, C, part])
    assert fates[3] == ("copy", "contained", 1)


def test_the_complete_reading_is_kept_even_when_printed_later():
    """Never an arbitrary first: the cut-down copy printed first gives way to the whole."""
    units, fates = run([A, B[:25], C, B])
    assert fates[1] == ("copy", "contained", 3)
    assert fates[3][0] == "kept"
    assert next(u.text for u in units if u.block == 3) == B


def test_near_copy_with_a_few_characters_changed():
    near = B.replace("落实", "健全").replace("村党支部书记", "村委会主任")
    units, fates = run([A, B, C, near])
    assert fates[3] == ("copy", "near-copy", 1)


def test_spliced_copy():
    """Sample line 172: a lede's start spliced onto another block's body."""
    spliced = A[:25] + C[7:]  # "近年来,甲县…新修农村" + "县里按照…"
    units, fates = run([A, B, C, spliced])
    assert fates[3] == ("copy", "spliced", 2)
    assert fates[2][0] == "kept" and fates[0][0] == "kept"


def test_region_veto_keeps_shared_boilerplate():
    """"下一步,曹县将继续…" and "下一步,巨野县将继续…" differ only in the region: both stay."""
    cao = "下一步,曹县将继续坚持党建引领,推动乡村振兴取得更大成效。"
    juye = "下一步,巨野县将继续坚持党建引领,推动乡村振兴取得更大成效。"
    units, fates = run(["曹县:修好农村公路", A, cao, "巨野县:建成农家书屋", C, juye])
    assert fates[2] == ("kept", "unique", None)
    assert fates[5] == ("kept", "unique", None)


def test_without_the_veto_those_two_are_near_copies():
    """The control for the test above: with no region on the page they do match."""
    a = "下一步,甲地将继续坚持党建引领,推动乡村振兴取得更大成效。"
    b = "下一步,乙地将继续坚持党建引领,推动乡村振兴取得更大成效。"
    units, fates = run([A, a, C, b])
    assert fates[3][0] == "copy" and fates[3][2] == 1


def test_region_veto_for_plain_headline_articles():
    page = ("曹县修好农村公路\n\n近年来,山东省菏泽市曹县新修农村公路三百公里,方便了群众出行。\n\n"
            "下一步,曹县将继续坚持党建引领,推动乡村振兴取得更大成效。\n\n"
            "巨野县建成农家书屋\n\n今年以来,山东省菏泽市巨野县新建农家书屋十八家,丰富了群众文化生活。\n\n"
            "下一步,巨野县将继续坚持党建引领,推动乡村振兴取得更大成效。")
    texts = [p.text for a in clean_text(page).articles for p in a.paragraphs]
    assert "下一步,曹县将继续坚持党建引领,推动乡村振兴取得更大成效。" in texts
    assert "下一步,巨野县将继续坚持党建引领,推动乡村振兴取得更大成效。" in texts


def test_unfinished_repeated_tail_is_trimmed():
    """Sample line 182: "…经营水平。比如,唐庙镇…流转土地1万亩,每" repeats line 178."""
    source = ("在养护资金上,县里按照每公里每年三千元的标准拨付经费。"
              "比如,唐庙镇组建合作社十二家,流转土地一万亩,每亩年增收八百元。")
    host = "道路建成后,甲县落实路长制。比如,唐庙镇组建合作社十二家,流转土地一万亩,每"
    page = "\n\n".join([A, source, host])
    blocks, _ = segment(page, ZH)
    units, decisions = find_copies(blocks, ZH, DEFAULT)
    assert [u.text for u in units] == [A, source, "道路建成后,甲县落实路长制。"]
    trimmed = [d for d in decisions if d.action == "trimmed"]
    assert [(d.block, d.other) for d in trimmed] == [(2, 1)]
    assert "唐庙镇" in trimmed[0].detail


def test_a_real_cut_head_is_not_trimmed():
    """An unfinished last sentence printed nowhere else is a cut head, not a repeat."""
    head = "道路建成后,甲县落实路长制。由村党支部书记担任村级路长,组织保洁员开展日"
    units, _ = run([A, head, C])
    assert [u.text for u in units][1] == head


def test_kickers_and_text_never_match_each_other():
    units, fates = run(["甲县:修路", "甲县修路", A])
    assert fates[0][0] == "kept" and fates[1][0] == "kept"


def test_repeated_heading_is_one_unit():
    units, fates = run(["突出基层治理 打造和谐议事厅", A, "突出基层治理 打造和谐议事厅", B])
    assert fates[2] == ("copy", "identical text", 0)


def test_english_truncated_copy():
    lede = ("GETTYSBURG — County commissioners on Tuesday adopted a budget that holds the tax rate "
            "steady for a third straight year and adds two deputies.")
    other = "The spending plan is about 4.1% larger than this year's and draws on reserves to balance."
    units, fates = run([lede, other, "County commissioners on Tuesday adopted a budget that holds the tax rate"], EN)
    assert fates[2] == ("copy", "contained", 0)


def test_markers_and_empty_blocks_are_not_units():
    units, _ = run([A, "(上接B6版)", B])
    assert [u.block for u in units] == [0, 2]


@pytest.mark.parametrize("order", ["variant first", "original first"])
def test_the_reading_that_borrowed_a_phrase_is_the_copy(order):
    # the variant replaced "按照每公里每年三千元的标准" with a phrase printed in A ("新修农村公路三百公里")
    original = C
    variant = C.replace("按照每公里每年三千元的标准", "新修农村公路三百公里的标准")
    blocks = [A, B, variant, original] if order == "variant first" else [A, B, original, variant]
    units, fates = run(blocks)
    kept_text = {u.text for u in units}
    assert original in kept_text and variant not in kept_text
    copy_block = 2 if order == "variant first" else 3
    assert fates[copy_block][0] == "copy"


def test_a_phrase_found_nowhere_else_decides_nothing():
    # neither reading's phrase is printed elsewhere: the fuller, then the first reading is kept
    variant = C.replace("三千元", "五千元")
    units, fates = run([A, variant, C])
    assert fates[1][0] == "kept" and fates[2][0] == "copy"


def test_english_one_word_heading_is_a_cut_down_copy_of_a_heading_it_opens():
    body = "Township trustees from across the county have urged voters to support the renewal."
    _units, fates = run(["Township concerns", body, "Township", "Some residents questioned the plan."], EN)
    assert fates[2] == ("copy", "cut-down heading", 0)


def test_a_lower_case_fragment_ending_a_paragraph_is_its_cut_down_copy():
    para = ("The pipeline would have cost nearly as much and would have left customers dependent on "
            "another utility's rates and decisions.")
    _units, fates = run([para, "rates and decisions.", "The board voted 4-1."], EN)
    assert fates[1] == ("copy", "cut-down fragment", 0)
    # but not one that opens it: it may be the middle link of a paragraph cut twice
    _units, fates = run(["least two residents of the neighboring streets, to help guide the design.",
                         "least two residents of the", "The board voted 4-1."], EN)
    assert fates[1][0] == "kept"


def test_a_block_set_aside_from_a_sample_of_its_shingles_would_fail_the_full_count():
    """``_mostly_elsewhere`` (a sample of every fourth shingle, issue 7) only sets aside
    blocks whose full shingle count, as ``copies_across_joins`` takes it, is below the
    containment threshold; and it does set most unrelated blocks aside."""
    import random
    from collections import Counter
    from itertools import chain

    from cleaner.copies import _mostly_elsewhere
    from cleaner.languages import ZH
    from cleaner.normalise import shingles

    rng = random.Random(11)
    set_aside = 0
    for _ in range(2000):
        alphabet = "甲乙丙丁戊己庚辛壬癸"[: rng.randint(2, 10)]
        joined = ["".join(rng.choice(alphabet) for _ in range(rng.randint(5, 60))) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.5:     # a piece of a joined paragraph, perhaps damaged
            source = rng.choice(joined)
            start = rng.randint(0, max(0, len(source) - 12))
            k = list(source[start:start + rng.randint(12, 40)].ljust(12, "子"))
            for _ in range(rng.randint(0, 3)):
                k[rng.randrange(len(k))] = rng.choice(alphabet)
            k = "".join(k)
        else:
            k = "".join(rng.choice(alphabet) for _ in range(rng.randint(12, 50)))
        sets = [shingles(p, ZH) for p in joined]
        owners = {}
        for j, s in enumerate(sets):
            for sh in s:
                owners.setdefault(sh, []).append(j)
        containment = rng.choice([0.5, 0.8, 0.9, 1.0])
        if _mostly_elsewhere(k, owners.keys(), 5, containment):
            set_aside += 1
            mine = shingles(k, ZH)
            hits = Counter(chain.from_iterable(owners[sh] for sh in mine if sh in owners))
            assert max(hits.values(), default=0) / len(mine) < containment, (k, joined)
    assert set_aside > 300
