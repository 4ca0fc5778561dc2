"""rejoin: a paragraph cut mid-sentence (even mid-word) becomes one paragraph again."""
from __future__ import annotations

import pytest

from cleaner import clean_text
from cleaner.config import DEFAULT
from cleaner.copies import find_copies
from cleaner.languages import EN, ZH
from cleaner.rejoin import rejoin
from cleaner.render import report
from cleaner.segment import segment

HEAD = "党群服务中心是党员开展活动的必要阵地,更是近距离服"
TAIL = "务群众的重要渠道。区里建立了窗口值班等工作制度十二项,推进服务标准化。"
X = "健全服务体系,实现群众受益。县财政奖补十二个党建示范片区服务中心建设资金三百万元。"
#: a page on which "议事" is common, so "…和谐议" + "事厅…" is a strong junction
CONTEXT = ("议事协商是基层治理的重要方式,村里每月召开议事会,议事代表由群众推选。"
           "议事厅配备了议事规则和议事记录本,议事过程全程公开。")
Y = "强化帮带效能,夯实组织基础。精准筛选示范村,与相邻的强基村统一纳入片区党委。"


def run(blocks: list[str], lang=ZH):
    """Paragraphs as (blocks, text) and the rejoin decisions as (block, action, other)."""
    page = "\n\n".join(blocks)
    segmented, _ = segment(page, lang)
    units, _ = find_copies(segmented, lang, DEFAULT)
    paragraphs, decisions = rejoin(segmented, units, lang)
    return ([(p.blocks, p.text) for p in paragraphs],
            [(d.block, d.action, d.other) for d in decisions])


def test_cut_mid_word_is_rejoined():
    """Sample lines 41/43: "…更是近距离服" / "务群众的重要渠道…"."""
    paragraphs, decisions = run([HEAD, TAIL, X])
    assert paragraphs == [((0, 1), HEAD + TAIL), ((2,), X)]
    assert decisions == [(1, "joined", 0)]


def test_finished_paragraphs_are_never_joined():
    paragraphs, decisions = run([X, Y, TAIL])
    assert [blocks for blocks, _ in paragraphs] == [(0,), (1,), (2,)]
    assert decisions == []


def test_cut_rejoined_across_a_continuation_marker():
    """Sample lines 47/57/59: "建立了“街" / "(上接B6版)" / "道党工委—…", with another
    paragraph printed between the head and the marker."""
    head = "配强工作力量。理顺党建综合阵地工作体系,建立了“街"
    tail = "道党工委—党建办公室—党群服务中心”三级组织体系。"
    paragraphs, decisions = run([X, head, Y, "(上接B6版)", tail])
    assert ((1, 4), head + tail) in paragraphs
    assert (4, "joined", 1) in decisions


def test_cut_rejoined_across_both_markers():
    head = "配强工作力量。理顺党建综合阵地工作体系,建立了“街"
    tail = "道党工委—党建办公室—党群服务中心”三级组织体系。"
    paragraphs, _ = run([X, head, "(下转B6版)", Y, "(上接B6版)", tail])
    assert ((1, 5), head + tail) in paragraphs


def test_copy_run_printed_between_the_two_halves():
    """A repeated run printed into the cut does not separate head and tail: the copies
    are dropped, and in the sequence of kept blocks the tail follows the head."""
    paragraphs, decisions = run([X, Y, HEAD, X, Y, TAIL])
    assert paragraphs == [((0,), X), ((1,), Y), ((2, 5), HEAD + TAIL)]
    assert (5, "joined", 2) in decisions


def test_zh_heading_with_a_space_is_never_a_head():
    """A two-part section heading ("突出基层治理 打造和谐议") is complete, however well its
    last character would join the next block."""
    paragraphs, decisions = run([CONTEXT, "突出基层治理 打造和谐议", "事厅建设,村村都有议事场所。"])
    assert [blocks for blocks, _ in paragraphs] == [(0,), (1,), (2,)]
    assert decisions == []


def test_zh_heading_like_head_without_a_space_is_joined():
    """The control for the test above: the same words without the space are a cut head."""
    paragraphs, _ = run([CONTEXT, "突出基层治理打造和谐议", "事厅建设,村村都有议事场所。"])
    assert ((1, 2), "突出基层治理打造和谐议事厅建设,村村都有议事场所。") in paragraphs


def test_dangling_one_character_scrap_is_trimmed():
    """"…达89.5%。合" with nothing that continues "合": the scrap goes, and is recorded."""
    page = "\n\n".join(["全县农村集体经济收入增长显著,达八十九点五个百分点。合", X])
    segmented, _ = segment(page, ZH)
    units, _ = find_copies(segmented, ZH, DEFAULT)
    paragraphs, decisions = rejoin(segmented, units, ZH)
    assert [p.text for p in paragraphs] == ["全县农村集体经济收入增长显著,达八十九点五个百分点。", X]
    assert [(d.block, d.action) for d in decisions] == [(0, "trimmed")]
    assert "'合'" in decisions[0].detail


def test_a_lede_is_never_a_continuation():
    paragraphs, decisions = run([HEAD, "近年来,鲁西新区强化党建综合阵地建设,服务群众的重要渠道不断拓宽。", X])
    assert decisions == []
    assert len(paragraphs) == 3


def test_english_hyphenated_cut_is_mended():
    head = ("The spending plan is about 4.1% larger than this year's and holds the tax rate steady, "
            "while the county pays for the recon-")
    tail = "struction of the courthouse annex. The reconstruction begins in May."
    paragraphs, decisions = run([head, tail, "The board also hired two deputies."], EN)
    assert paragraphs[0] == ((0, 1), head[:-1] + tail)
    assert decisions == [(1, "joined", 0)]


def test_english_cut_joined_with_a_space():
    head = ("The spending plan is about 4.1% larger than this year's and holds the tax rate steady, "
            "while the county pays for the")
    tail = "courthouse annex. Work begins in May."
    paragraphs, _ = run([head, tail, "The board also hired two deputies."], EN)
    assert paragraphs[0] == ((0, 1), head + " " + tail)


def test_english_capitalised_next_paragraph_is_not_a_tail():
    head = "The spending plan is about 4.1% larger than this year's. It holds the"
    paragraphs, decisions = run([head, "The board also hired two deputies."], EN)
    assert decisions == []
    assert [blocks for blocks, _ in paragraphs] == [(0,), (1,)]


def test_the_reading_that_continues_the_head_is_used():
    """When the tail's kept printing is not the one after the head, the printing after
    the head becomes the kept reading and the other becomes its copy."""
    page = "\n\n".join([TAIL, X, HEAD, TAIL, Y])
    result = clean_text(page)
    fates = {b["index"]: (b["fate"], b.get("copy_of")) for b in report(result, DEFAULT)["blocks"]}
    assert fates[0] == ("copy", 3)
    assert fates[3] == ("joined", None)
    assert [p.text for a in result.articles for p in a.paragraphs] == [X, HEAD + TAIL, Y]


def test_other_copies_follow_the_new_reading():
    result = clean_text("\n\n".join([TAIL, X, HEAD, TAIL, Y, TAIL]))
    fates = {b["index"]: (b["fate"], b.get("copy_of")) for b in report(result, DEFAULT)["blocks"]}
    assert fates[5] == ("copy", 3)


def test_english_capitalised_function_word_opens_a_sentence_but_an_amount_continues_one():
    # "…stood at roughly" + "The levy will…" reads as a new sentence; "$14 million…" runs on
    from cleaner.rejoin import _Junctions
    head = "To balance the budget, the commissioners will transfer money from a fund that stood at roughly"
    junctions = _Junctions([head], EN)
    assert junctions.score(head, "The levy will appear on the May 5 primary ballot.") < -2.0
    assert junctions.score(head, "Levy supporters spoke first.") == -1.0
    assert junctions.score(head, "$14 million at the end of the last audit.") > 0.0
    assert junctions.score(head, "about $14 million at the end of the last audit.") == 2.0


def test_a_lower_case_opening_is_a_continuation_even_after_a_heading():
    # the headline printed after part of its body: "…, which stood at" / HEADLINE / "about…"
    head = "The county's reserve fund, which grew again last year, stood at"
    title = "Commissioners adopt budget with no tax increase"
    tail = "about $14 million at the end of the last audit, the treasurer said."
    paragraphs, _ = run([head, title, tail, "GETTYSBURG — County commissioners on Tuesday adopted a budget."], EN)
    assert ((0, 2), head + " " + tail) in paragraphs


def test_an_open_head_may_take_a_tail_from_a_head_that_has_another():
    # best-first: head 1 takes tail 3 (4.5), head 2 is left without its only tail; one
    # swap gives head 1 its second-best tail 4 (3.5) and head 2 tail 3 (3.5): 7 > 4.5
    from cleaner.rejoin import Join, _improve
    joins = sorted([Join(1, 3, 4.5, 3, ""), Join(1, 4, 3.5, 4, ""), Join(2, 3, 3.5, 3, "")],
                   key=lambda j: -j.score)
    nxt, prev = {1: joins[0]}, {3: 1}
    _improve(joins, nxt, prev)
    assert {h: j.tail for h, j in nxt.items()} == {1: 4, 2: 3}
    assert prev == {4: 1, 3: 2}


def test_a_swap_that_scores_less_is_not_made():
    from cleaner.rejoin import Join, _improve
    joins = sorted([Join(1, 3, 6.0, 3, ""), Join(1, 4, 3.0, 4, ""), Join(2, 3, 3.0, 3, "")],
                   key=lambda j: -j.score)
    nxt, prev = {1: joins[0]}, {3: 1}
    _improve(joins, nxt, prev)
    assert {h: j.tail for h, j in nxt.items()} == {1: 3}


def test_english_open_word_or_name_before_a_capital_runs_on_into_the_line_printed_next():
    # no sentence stops on "on", and "…Commissioner Ray" stops inside a name: the capital
    # that follows proves nothing, and the line printed right after is the continuation
    for head, tail in [
        ("Parking is scarce downtown, said Diane Keller, who owns a gift shop on",
         "Baltimore Street. She asked the council for more meters."),
        ("The county would write a letter backing the grant, said Commissioner Ray",
         "Diehl, who chairs the board. The letter is due in March."),
    ]:
        paragraphs, decisions = run([head, tail, "Council members voted 5-2 to approve the study."], EN)
        assert paragraphs[0] == ((0, 1), head + " " + tail)
        assert decisions == [(1, "joined", 0)]


def test_english_ordinary_capitalised_word_after_a_cut_is_not_taken_as_its_end():
    head = "We lost a culvert that we just replaced two years"
    tail = "Up to 5 inches of rain fell on parts of the county on Friday night."
    paragraphs, decisions = run([head, tail], EN)
    assert decisions == []


def test_english_name_is_told_from_the_page_itself():
    from cleaner.rejoin import _Junctions
    page = ["The board met on Thursday in Gettysburg.", "Residents asked questions. Several residents left."]
    junctions = _Junctions(page, EN, page)
    head = "The authority on"
    assert junctions.score(head, "Thursday approved a rate increase.") == 0.0      # open word, and a name
    assert junctions.score("The authority", "Thursday approved a rate increase.") == -0.5
    assert junctions.score("The authority met", "Several residents left.") == -1.0   # "several" is printed in lower case


def test_a_cut_down_copy_near_the_head_does_not_hide_the_continuation_after_a_marker():
    # the cut-down copy "request for roads…" printed after the "see Page B3" marker cannot
    # stand in for the whole continuation; the full printing after "(Continued from B2)" can
    head = ("Commissioner Angela Roth said the board chose a straight renewal. \"We're asking them "
            "to keep what they already")
    tail = "have, not to pay more. We think that's a fair request for roads everyone depends on.\""
    blocks = [head, "Please see LEVY, Page B3", "request for roads everyone depends on.\"",
              "Fulton County commissioners on Tuesday restored $86,000 in library funding.",
              "The library recorded more than 38,000 visits last year.", "(Continued from B2)", tail]
    paragraphs, decisions = run(blocks, EN)
    assert ((0, 6), head + " " + tail) in paragraphs
    assert (6, "joined", 0) in decisions


def test_english_long_heading_like_line_with_prose_words_is_a_cut_line():
    # no terminal stop, so segment reads it as a heading; six words and "the" make it a cut
    # line of running text when a lower-case line follows it
    head = "Several fire chiefs and municipal police officials attended the meeting"
    tail = "to support the plan. A representative of the township supervisors spoke too."
    lead = "The county will add 14 telecommunicators next year."
    paragraphs, decisions = run([lead, head, tail], EN)
    assert ((1, 2), head + " " + tail) in paragraphs


def test_english_section_heading_is_not_continued_by_a_lower_case_line():
    # a real section heading (short, headline style), or a long line printed right after an
    # open cut (which the lower-case line continues instead), is not a cut line
    for blocks in (["The county will add 14 telecommunicators next year.", "Township concerns",
                    "missioners used about $380,000 of the county's remaining relief money."],
                   ["The plan was approved on Tuesday, after the commissioners heard for two hours from",
                    "Several fire chiefs and municipal police officials attended the meeting",
                    "residents who live along the creek."]):
        paragraphs, decisions = run(blocks, EN)
        assert (2, "joined", 1) not in decisions


def test_english_junction_weighs_hyphens_names_and_quotations():
    from cleaner.rejoin import _Junctions
    page = ["Officials met at the fire hall on Saturday and again on Sunday.", "Haines spoke first."]
    junctions = _Junctions(page, EN, page)
    # a word split at a line-end hyphen goes on in lower case
    assert junctions.score("which keeps its full state alloca-", "tion next year.") == 2.0
    assert junctions.score("which keeps its full state alloca-", "Fulton County restored the money.") == 0.5
    # a name reporting opens a sentence; a quotation closed with a comma runs on into one
    assert junctions.score("agreed to include a residential permit", "Haines said the garages are full.") == -1.0
    assert junctions.score("opened a shelter at a local fire hall", "Saturday night for families.") == -0.5
    assert junctions.score('"They are tired,"', "Witmer told the board.") == -0.5


def test_a_repeated_tail_printed_right_after_its_head_is_joined_despite_a_heading_elsewhere():
    # "March 31, …" is printed three times; one printing stands after a headline, which
    # for a text printed once would mark a paragraph start. Copies land anywhere.
    head = "Program coordinator Julie Fenicle said applications will be accepted through"
    tail = "March 31, and landowners can request a free site visit."
    blocks = ["Broadband grant to bring service to rural homes", tail,
              "CHAMBERSBURG — Franklin County will receive a $9.6 million state grant.",
              "Construction is expected to begin next spring.", tail,
              "Farmland board adds 11 farms",
              "NEW BLOOMFIELD — The county's preservation board added 11 farms on Tuesday.",
              head, tail]
    paragraphs, decisions = run(blocks, EN)
    assert any(text == head + " " + tail for _blocks, text in paragraphs)


def test_english_two_word_scrap_left_without_a_continuation_is_trimmed():
    head = ("Diehl said a reliable water supply is essential to attracting new businesses to "
            "the area. The authority")
    paragraphs, decisions = run([head, "Construction is expected to begin in late 2027."], EN)
    assert paragraphs[0] == ((0,), head[: -len(" The authority")])
    assert (0, "trimmed", None) in decisions


def test_chinese_particle_opening_continues_a_heading_like_cut_line():
    # "的生命线。…" cannot open a sentence: the heading-like line printed right before it
    # is the first half of the section's opening sentence
    head = "产业是合作社持续发展"
    tail = "的生命线。县里引导村党组织领办合作社因地制宜选准发展路子,让群众在产业链上稳稳增收。"
    paragraphs, decisions = run([X, head, tail, Y])
    assert ((1, 2), head + tail) in paragraphs
    assert (2, "joined", 1) in decisions


def test_a_particle_opening_alone_does_not_join_a_comma_headline():
    # it says the tail continues *some* cut, not that it continues the headline before it
    from cleaner.rejoin import _Junctions
    headline = "寒潮来袭，我省多地将迎大风降温天气"
    tail = "的人多了，村里的土特产也好卖了。"
    junctions = _Junctions([headline, tail], ZH)
    assert junctions.score(headline, tail) == 2.0
    assert junctions.attested(headline, tail) < 1.0
    paragraphs, decisions = run([X, headline, tail, Y])
    assert (2, "joined", 1) not in decisions


def test_english_cut_line_joins_a_lower_case_continuation_printed_further_on():
    # "The county's 911 center received more than 400 calls" reads as a heading (no stop)
    # but opens with an article; its lower-case continuation was printed two blocks on
    head = "The county's 911 center received more than 400 calls"
    tail = "between Saturday afternoon and Sunday morning, the director said."
    blocks = ["Rain gauges recorded totals of about four inches across the county.", head,
              "Library funding restored after commissioners reverse proposed cut",
              "Fulton County commissioners on Tuesday restored $86,000 in library funding.", tail]
    paragraphs, decisions = run(blocks, EN)
    assert ((1, 4), head + " " + tail) in paragraphs


def test_english_heading_like_line_takes_a_lower_case_line_printed_right_after_it_that_nothing_else_takes():
    head = "State transportation crews closed sections of several state"
    tail = "routes, and township road crews placed barricades on dozens of local roads."
    blocks = ["Up to 5 inches of rain fell on parts of the county on Friday night.", head, tail,
              "Forecasters expect drier weather through midweek."]
    paragraphs, decisions = run(blocks, EN)
    assert ((1, 2), head + " " + tail) in paragraphs
    # an open cut of running text before it takes the lower-case line first
    blocks = ["Up to 5 inches of rain fell on parts of the county on Friday night and Saturday, closing", head, tail]
    paragraphs, decisions = run(blocks, EN)
    assert (2, "joined", 0) in decisions
