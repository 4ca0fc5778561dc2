"""articles: where each article starts, which article every paragraph belongs to, and
the reading order inside each article."""
from __future__ import annotations

import pytest

from cleaner import clean_text

J1 = "近年来,山东省菏泽市甲县新修农村公路三百公里,方便了群众出行。"
J2 = "道路建成后,甲县落实县乡村三级路长制,组织保洁员开展日常巡查。"
J3 = "在养护资金上,县里按照每公里每年三千元的标准拨付村道养护经费。"
J4 = "路通了,产业也活了。沿线村庄依托便利交通发展果蔬种植和乡村旅游。"
Y1 = "今年以来,山东省菏泽市乙县新建农家书屋十八家,丰富了群众文化生活。"
Y2 = "各书屋结合农时节令开展读书活动,春季举办种植技术讲座,吸引群众走进书屋。"
Y3 = "县里还组建了由退休教师组成的阅读推广队伍,深入田间地头开展送书上门服务。"
Y4 = "书香正在成为乡村振兴的新底色,农家书屋成了群众的精神加油站。"


def articles(*blocks: str) -> list[tuple[str, str, list[str]]]:
    result = clean_text("\n\n".join(blocks))
    return [(a.region, a.title, [p.text for p in a.paragraphs]) for a in result.articles]


def test_two_kicker_articles():
    assert articles("甲县:修好乡村路", J1, J2, "乙县:书香飘进农家院", Y1, Y2) == [
        ("甲县", "甲县:修好乡村路", [J1, J2]),
        ("乙县", "乙县:书香飘进农家院", [Y1, Y2]),
    ]


def test_kicker_and_headline_split_over_two_blocks():
    """Sample lines 94/96: "鲁西新区:" and its headline are two blocks, one title."""
    result = clean_text("\n\n".join(["甲县:", "修好乡村路 铺就致富路", J1, J2, "乙县:", "书香飘进农家院", Y1, Y2]))
    assert [(a.region, a.title, a.title_blocks) for a in result.articles] == [
        ("甲县", "甲县:修好乡村路 铺就致富路", (0, 1)),
        ("乙县", "乙县:书香飘进农家院", (4, 5)),
    ]
    assert [[p.text for p in a.paragraphs] for a in result.articles] == [[J1, J2], [Y1, Y2]]


def test_title_is_not_repeated_in_the_paragraphs():
    for region, title, paragraphs in articles("甲县:", "修好乡村路 铺就致富路", J1, J2, "乙县:书香飘进农家院", Y1):
        assert title not in paragraphs and "修好乡村路 铺就致富路" not in paragraphs


def test_bare_reprint_of_the_headline_is_a_copy_of_the_title():
    found = articles("甲县:创建党建示范片区 凝聚乡村振兴合力", J1, J2, "创建党建示范片区 凝聚乡村振兴合力", J3)
    assert found == [("甲县", "甲县:创建党建示范片区 凝聚乡村振兴合力", [J1, J2, J3])]


def test_headline_after_part_of_its_body_takes_that_body():
    """Sample lines 94-96: a kicker and headline printed after part of their own body.
    The body printed before the title belongs to the title's article, not the one before."""
    found = articles("甲县:修好乡村路", J1, J2, J3, J4, Y1, Y2, "乙县:", "书香飘进农家院", Y3, Y4)
    assert [(region, sorted(paragraphs)) for region, _, paragraphs in found] == [
        ("甲县", sorted([J1, J2, J3, J4])),
        ("乙县", sorted([Y1, Y2, Y3, Y4])),
    ]


def test_headline_after_part_of_its_body_reads_in_order():
    """The lede printed before the title still comes first."""
    found = articles("甲县:修好乡村路", J1, J2, J3, J4, Y1, Y2, "乙县:", "书香飘进农家院", Y3, Y4)
    assert found[1] == ("乙县", "乙县:书香飘进农家院", [Y1, Y2, Y3, Y4])


def test_continuation_printed_inside_another_article_goes_back():
    """Sample lines 47-59: 甲县's cut paragraph continues after "(上接B6版)" inside 乙县;
    the continuation and what follows it go back to 甲县, and 乙县 resumes after."""
    j2 = "道路建成后,甲县各乡镇(街道)落实三级路长制,由街道党工委统一调度,街道办事处组织保洁员开展日常巡查。"
    head = "养护是关键。在养护资金上,甲县各乡镇(街"
    tail = "道)按照每公里每年三千元的标准拨付甲县村道养护经费。"
    j4 = "路通了,甲县的产业也活了。沿线村庄依托便利交通发展果蔬种植和乡村旅游。"
    y2 = "乙县各书屋结合农时节令开展读书活动,春季举办种植技术讲座,吸引群众走进书屋。"
    y3 = "乙县还组建了由退休教师组成的阅读推广队伍,深入田间地头开展送书上门服务。"
    found = articles("甲县:修好乡村路", J1, j2, head, "乙县:书香飘进农家院", Y1, y2, "(上接B6版)", tail, j4, y3, Y4)
    assert found == [
        ("甲县", "甲县:修好乡村路", [J1, j2, head + tail, j4]),
        ("乙县", "乙县:书香飘进农家院", [Y1, y2, y3, Y4]),
    ]


def test_joined_continuation_stays_with_its_head():
    """Neither half names its region: the head's printing in 甲县 decides."""
    j2 = "道路建成后,甲县各乡镇(街道)落实三级路长制,由街道党工委统一调度,街道办事处组织保洁员开展日常巡查。"
    head = "养护是关键。在养护资金上,各乡镇(街"
    tail = "道)按照每公里每年三千元的标准拨付村道养护经费。"
    found = articles("甲县:修好乡村路", J1, j2, head, "乙县:书香飘进农家院", Y1, Y2, "(上接B6版)", tail, Y3, Y4)
    assert found[0] == ("甲县", "甲县:修好乡村路", [J1, j2, head + tail])


def test_region_from_the_lede_for_plain_headlines():
    lede_a = "近年来,山东省菏泽市巨野县新修农村公路三百公里,方便了群众出行。"
    lede_b = "今年以来,山东省菏泽市东明县新建农家书屋十八家,丰富了群众文化生活。"
    found = articles("修好乡村路 铺就致富路", lede_a, J2, J3, "书香飘进农家院", lede_b, Y2, Y3)
    assert found == [
        ("巨野县", "修好乡村路 铺就致富路", [lede_a, J2, J3]),
        ("东明县", "书香飘进农家院", [lede_b, Y2, Y3]),
    ]


def test_region_from_the_lede_one_character_county():
    lede = "近年来,山东省菏泽市单县新修农村公路三百公里,方便了群众出行。"
    assert articles("修好乡村路 铺就致富路", lede, J2)[0][0] == "单县"


def test_no_region_from_an_ordinary_word():
    page = ["寒潮来袭 我省多地将迎大风降温天气",
            "受强冷空气影响，预计未来三天我省大部分地区将出现大风降温天气，请注意防范。",
            "气象部门提醒，部分地区气温将下降8℃以上。"]
    # no place named: the article is keyed by its headline, never by "分地区"
    assert articles(*page)[0][0] == page[0]


def test_region_from_a_dateline_lede():
    page = ["济南加快推进黄河沿岸生态廊道建设",
            "新华社济南5月12日电(记者 张海涛)济南市近日出台黄河沿岸生态廊道建设三年行动方案，计划在沿黄区县新增造林一万亩。",
            "沿黄区县将统筹推进林带补植和湿地修复。"]
    assert articles(*page)[0][0] == "济南市"


def test_english_region_from_the_dateline():
    found = articles("Borough council approves park plan",
                     "MOUNT JOY — After two years of public meetings, the borough council approved a park plan.",
                     "The plan is a scaled-back version of a proposal first presented in 2023.")
    assert [(region, title) for region, title, _ in found] == [("Mount Joy", "Borough council approves park plan")]


def test_english_kicker_article():
    found = articles("ADAMS COUNTY: Budget adopted",
                     "GETTYSBURG — The commissioners adopted the budget on Tuesday.",
                     "The spending plan is about 4.1% larger than this year's.")
    assert found == [("ADAMS COUNTY", "ADAMS COUNTY: Budget adopted", [
        "GETTYSBURG — The commissioners adopted the budget on Tuesday.",
        "The spending plan is about 4.1% larger than this year's."])]


def test_english_cut_dateline_lede_is_not_a_kicker():
    """A dateline lede cut before its first full stop looks like "KICKER — headline"."""
    found = articles("ADAMS COUNTY: Budget adopted",
                     "GETTYSBURG — County commissioners on Tuesday adopted a budget\nthat holds the tax rate",
                     "steady for a third straight year and adds two deputies.",
                     "The spending plan is about 4.1% larger than this year's.")
    assert found == [("ADAMS COUNTY", "ADAMS COUNTY: Budget adopted", [
        "GETTYSBURG — County commissioners on Tuesday adopted a budget that holds the tax rate "
        "steady for a third straight year and adds two deputies.",
        "The spending plan is about 4.1% larger than this year's."])]


def test_repeated_headline_is_one_article():
    found = articles("修好乡村路 铺就致富路", "近年来,山东省菏泽市巨野县新修农村公路三百公里,方便了群众出行。", J2,
                     "修好乡村路 铺就致富路", J3, "修好乡村路 铺就致富路")
    assert len(found) == 1
    assert found[0][1] == "修好乡村路 铺就致富路"
    assert found[0][2][1:] == [J2, J3]


def test_every_paragraph_is_in_exactly_one_article():
    result = clean_text("\n\n".join(["甲县:修好乡村路", J1, J2, J3, "乙县:书香飘进农家院", Y1, J3, Y2, Y3]))
    placed = [b for a in result.articles for b in a.blocks]
    assert len(placed) == len(set(placed))
    texts = [p.text for a in result.articles for p in a.paragraphs]
    assert texts.count(J3) == 1


def _stray_blocks(*blocks: str) -> set[int]:
    """Blocks _copies_out_of_context sets aside on a page of these blocks."""
    from cleaner.articles import _copies_out_of_context, _Page, _Shift
    from cleaner.config import DEFAULT
    from cleaner.copies import find_copies
    from cleaner.languages import ZH
    from cleaner.rejoin import rejoin
    from cleaner.segment import segment
    segmented, _ = segment("\n\n".join(blocks), ZH)
    units, _ = find_copies(segmented, ZH, DEFAULT)
    paragraphs, _ = rejoin(segmented, units, ZH)
    page = _Page(segmented, units, paragraphs)
    return {page.seq[pos][1] for pos in _copies_out_of_context(page, _Shift(page, ZH))}


# two articles whose paragraphs share their own topic words (公路养护 / 农家书屋)
R = ["近年来,甲县把农村公路养护作为民生实事,农村公路养护经费逐年增加。",
     "甲县推行农村公路养护路长制,每条农村公路都有养护责任人。",
     "农村公路养护队伍定期巡查,农村公路病害做到早发现早养护。",
     "农村公路养护好了,沿线群众出行更方便,农村公路成了致富路。"]
B = ["今年以来,乙县新建农家书屋十八家,农家书屋成了群众读书的好去处。",
     "农家书屋结合农时开展读书活动,农家书屋里常常坐满读书的群众。",
     "农家书屋还请来退休教师领读,读书的孩子在农家书屋里越来越多。",
     "农家书屋让读书成为乡村新风尚,群众爱上了农家书屋。"]


def test_a_run_printed_among_another_articles_text_is_set_aside():
    # 乙县's B1 B2 printed (blocks 2, 3) inside 甲县's article, and again under its own title
    page = ["甲县:养护农村公路", R[0], B[1], B[2], R[1], R[2], R[3], "乙县:书香飘进农家院", *B]
    assert _stray_blocks(*page) == {2, 3}
    assert articles(*page) == [("甲县", "甲县:养护农村公路", R), ("乙县", "乙县:书香飘进农家院", B)]


def test_a_tangle_of_copies_is_neither_trusted_nor_set_aside():
    # the run under 乙县 repeats its own blocks (B1 B2 B1 B2): no printing is set aside
    page = ["甲县:养护农村公路", R[0], B[1], B[2], R[1], R[2], R[3], "乙县:书香飘进农家院", B[0], B[1], B[2],
            B[1], B[2], B[3]]
    assert _stray_blocks(*page) == set()


def test_a_headline_with_a_comma_starts_an_article():
    # real Chinese headlines often hold a comma; such a line is a body block that must not
    # be glued to the lede below it, and is then found to be a headline
    page = ["修好乡村路 铺就致富路", J1, J2, J3,
            "寒潮来袭，我省多地将迎大风降温天气",
            "受强冷空气影响，预计未来三天我省大部分地区将出现大风降温天气，请注意防范。",
            "气象部门提醒，部分地区气温将下降8℃以上，设施农业要做好防风保温。"]
    out = articles(*page)
    assert [title for _, title, _ in out] == ["修好乡村路 铺就致富路", "寒潮来袭，我省多地将迎大风降温天气"]
    assert out[1][2] == page[5:]


def test_a_cut_line_with_a_comma_still_joins_where_the_text_runs_on():
    # "产业兴了以后，村里的人气也回" + "来了。…": shaped like a comma headline, but the text
    # runs on across the cut ("回来" is printed elsewhere on the page), so it is joined
    head, tail = "产业兴了以后，村里的人气也回", "来了。近几年，东峪村先后有40多名在外打工的年轻人回来了。"
    out = articles("大山深处的小山村 走出一条苹果致富路",
                   "初夏时节，走进沂源县的大山深处，漫山遍野的苹果树上已挂满青涩的幼果。回来的人多了。", head, tail)
    assert out[0][2][-1] == head + tail


def test_a_headline_ending_in_an_exclamation_mark_starts_an_article():
    page = ["修好乡村路 铺就致富路", J1, J2, "明天起，这些新规将正式施行！",
            "记者从省司法厅获悉，明天起，一批新修订的地方性法规将正式施行，涉及养老服务、物业管理等方面。",
            "其中，新修订的物业管理条例明确了业主委员会的成立程序。"]
    assert [title for _, title, _ in articles(*page)] == ["修好乡村路 铺就致富路", "明天起，这些新规将正式施行！"]


def test_an_english_cut_sentence_is_not_a_headline():
    # a line cut from running text ("…have questioned whether the county") has the
    # articles and auxiliaries that headline style leaves out
    page = ["ADAMS COUNTY: Commissioners adopt budget with no tax increase",
            "GETTYSBURG — County commissioners on Tuesday adopted a $112.6 million budget for 2027.",
            "Some residents have questioned whether the county",
            "Hoffner said he supported keeping the tax rate steady but objected to the reserve transfer."]
    assert [title for _, title, _ in articles(*page)] == [page[0]]


def test_a_comma_headline_printed_after_part_of_its_lede_is_not_its_continuation():
    lede_head = "记者从省气象台获悉，受强冷空气影响，我省将出现一次寒潮天气过程，全省大"
    lede_tail = "部分地区气温将下降8℃至10℃，局部地区降幅超过12℃。"
    page = ["修好乡村路 铺就致富路", J1, J2, lede_head, "寒潮来袭，我省多地将迎大风降温天气", lede_tail,
            "气象部门提醒，大部分地区要做好防风保温，设施农业种植户要提前加固大棚。"]
    out = articles(*page)
    assert out[-1][1] == "寒潮来袭，我省多地将迎大风降温天气"
    assert out[-1][2][0] == lede_head + lede_tail


def test_a_headline_after_its_lede_and_first_section_takes_the_lede_it_sums_up():
    lede = "记者从潍坊市统计局获悉，今年一季度，全市外贸进出口总值达到612.4亿元，同比增长8.6%。"
    page = ["修好乡村路 铺就致富路", J1, J2, J3,
            lede, "机电产品出口增势强劲", "从出口商品结构看，机电产品和高新技术产品成为拉动出口增长的主力。",
            "潍坊一季度外贸进出口同比增长8.6%", "与此同时，农产品出口保持稳定，一季度全市农产品出口71.2亿元。"]
    out = articles(*page)
    assert [title for _, title, _ in out] == ["修好乡村路 铺就致富路", "潍坊一季度外贸进出口同比增长8.6%"]
    assert out[1][2][0] == lede


def test_numbered_section_headings_stay_inside_their_article():
    page = ["修好乡村路 铺就致富路", J1, "一、健全养护机制", J2, "二、拓宽资金渠道", J3]
    out = articles(*page)
    assert [title for _, title, _ in out] == ["修好乡村路 铺就致富路"]
    assert out[0][2] == [J1, "一、健全养护机制", J2, "二、拓宽资金渠道", J3]


def test_a_subtitle_under_a_headline_is_not_a_headline():
    page = ["修好乡村路 铺就致富路", "——甲县推进农村公路建设纪实", J1, J2, J3]
    out = articles(*page)
    assert [title for _, title, _ in out] == ["修好乡村路 铺就致富路"]


def test_text_after_a_continued_from_marker_continues_another_article():
    # the paragraph after "Continued from Page A1" has no words of either article; the
    # marker says an article begun elsewhere goes on here, and it is not the one whose text
    # precedes the marker
    a1 = "GETTYSBURG — Adams County commissioners adopted a $98 million budget on Tuesday."
    a2 = "The spending plan holds the tax rate steady for a third straight year."
    b1 = "YORK — York County commissioners voted on Wednesday to cut library hours at two branches."
    b2 = "The branches in Dover and Red Lion will close on Mondays starting in March."
    cont = "Officials said the county would look at the matter again in the spring."
    b3 = "Library staff said the cut would hit students who use the branches after school."
    found = articles("ADAMS COUNTY: Budget adopted", a1, a2, "YORK COUNTY: Library hours cut", b1, b2,
                     "Continued from Page A1", cont, b3)
    assert found == [("ADAMS COUNTY", "ADAMS COUNTY: Budget adopted", [a1, a2, cont]),
                     ("YORK COUNTY", "YORK COUNTY: Library hours cut", [b1, b2, b3])]


def test_a_headline_printed_after_its_opening_takes_the_opening_it_sums_up_without_a_dateline():
    # the opening has no dateline; the headline sums it up ("fire companies", "shared
    # funding", "volunteer"), so it leads the article, and what follows it comes next
    a1 = "GETTYSBURG — Adams County commissioners adopted a $98 million budget on Tuesday."
    a2 = "The spending plan holds the tax rate steady for a third straight year."
    f1 = ("Leaders of seven volunteer fire companies serving the Waynesboro area asked local officials "
          "this week to consider a shared funding arrangement for paid daytime crews.")
    f2 = "The request was presented at a joint meeting of borough council members and township supervisors."
    f3 = "Firefighters also pointed to rising training requirements as a barrier to recruiting."
    found = articles("ADAMS COUNTY: Budget adopted", a1, a2, f1, f2,
                     "Fire companies ask for shared funding as volunteer ranks thin", f3)
    assert found[-1][1:] == ("Fire companies ask for shared funding as volunteer ranks thin", [f1, f2, f3])


def test_an_opening_without_a_dateline_that_the_headline_sums_up_is_a_sure_lede():
    # a repeated run printed between the headline and its opening is looked through, and
    # the opening leads, because the headline sums it up (no dateline needed)
    lede = ("Members of the Kreutz Creek Area School Board signaled Monday that they will likely "
            "approve a 0.6-mill tax increase as state aid lags.")
    b1 = "The increase would bring the district's rate to 24.85 mills."
    r1 = "Several board members said they were reluctant to raise taxes in a year of high prices."
    r2 = "Parents who spoke at the workshop largely urged the board to protect programs."
    found = articles("YORK COUNTY: School board weighs 0.6-mill tax increase as state aid lags",
                     r1, r2, lede, b1, r1, r2)
    assert found == [("YORK COUNTY", "YORK COUNTY: School board weighs 0.6-mill tax increase as state aid lags",
                      [lede, b1, r1, r2])]


def test_the_page_vocabulary_numbers_grams_as_the_counters_of_grams_do():
    """``_char_grams`` (numpy, issue 7) gives each unspaced paragraph's grams the ids,
    order and counts that numbering ``_grams`` Counters of strings gives."""
    from itertools import chain

    from cleaner.articles import _char_grams, _grams
    from cleaner.languages import ZH
    from cleaner.normalise import key

    texts = [J1, J2, "", "甲", "甲乙", "甲乙甲乙甲乙", J1 + J1, "a_b 1２3", Y1, "乙县:书香飘进农家院", Y3 + J2, J2]
    counters = [_grams(t, ZH) for t in texts]
    numbers = {g: n for n, g in enumerate(dict.fromkeys(chain.from_iterable(counters)))}
    ids, counts, sizes, size = _char_grams([key(t, ZH) for t in texts])
    assert ids.tolist() == [numbers[g] for g in chain.from_iterable(counters)]
    assert counts.tolist() == list(chain.from_iterable(c.values() for c in counters))
    assert sizes == [len(c) for c in counters] and size == len(numbers)


def test_headings_built_alike_are_found_as_comparing_every_pair_finds_them():
    """``_Parallels`` (an index, issue 7) answers what ``_parallel`` against every heading
    of the page answers."""
    import random

    from cleaner.articles import _parallel, _Parallels
    from cleaner.languages import EN, ZH

    rng = random.Random(3)
    pieces = ["优化", "丰富", "让服", "务更", "打造", "突出", "党建", "甲", "乙丙丁"]

    def heading() -> str:
        parts = ("".join(rng.choice(pieces) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 4)))
        return " ".join(parts)

    for _ in range(300):
        headings = [heading() for _ in range(rng.randint(0, 8))]
        parallels = _Parallels(headings, ZH)
        for text in headings + [heading() for _ in range(5)]:
            assert parallels.built_like(text) == any(_parallel(text, h, ZH) for h in headings), (text, headings)
    assert not _Parallels(["Farm news", "Road news"], EN).built_like("Farm works")


def test_weights_at_some_grams_are_read_as_from_the_dense_table():
    """``_Vocabulary.at`` (a sort for small sides of a large page, issue 7) reads what
    ``dense(ids, weights)[where]`` reads."""
    import numpy as np

    from cleaner.articles import _Vocabulary
    from cleaner.languages import ZH
    from cleaner.types import Paragraph

    rng = np.random.default_rng(5)
    texts = ["".join(chr(0x4E00 + c) for c in rng.integers(0, 300, 40)) for _ in range(60)]
    table = _Vocabulary(tuple(Paragraph(t, (n,)) for n, t in enumerate(texts)), ZH)
    for size in (0, 1, 5, 40, table.size):
        ids = rng.permutation(table.size)[:size]
        weights = rng.random(size)
        where = rng.integers(0, table.size, rng.integers(0, 30))
        assert table.at(where, ids, weights).tolist() == table.dense(ids, weights)[where].tolist()
