"""Tests for tests/scoring.py: hand-computed cases, then agreement with the shared scorer.

The agreement tests need ../shared/eval/score.py (the project's evaluation kit); a
user's clone does not have it, so they are skipped there.
"""
from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest

from scoring import lcs_length, normalise, output_paragraphs, readings, score, split_sentences

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "heze_page.txt"
SHARED_EVAL = ROOT.parent / "shared" / "eval"
SHARED_SCORER = SHARED_EVAL / "score.py"
SHARED_GOLD = SHARED_EVAL / "heze_page.gold.json"

# Two tiny reference articles. Normalised lengths, counted by hand:
#   "甲县:修路" 5, "甲县今年修了三条路。" 10, "道路全长十二公里,投资八百万元。" 16 -> 31
#   "乙县:建书屋" 6, "乙县新建了十个农家书屋。" 12, "书屋每天开放八个小时。" 11 -> 29
JIA_TITLE, JIA_1, JIA_2 = "甲县:修路", "甲县今年修了三条路。", "道路全长十二公里,投资八百万元。"
YI_TITLE, YI_1, YI_2 = "乙县:建书屋", "乙县新建了十个农家书屋。", "书屋每天开放八个小时。"
GOLD = {"articles": [
    {"region": "甲县", "title": JIA_TITLE, "paragraphs": [JIA_1, JIA_2]},
    {"region": "乙县", "title": YI_TITLE, "paragraphs": [YI_1, YI_2]},
]}
YI_OUT = {"region": "乙县", "title": YI_TITLE, "paragraphs": [YI_1, YI_2]}


def jia(*paragraphs: str) -> dict:
    return {"region": "甲县", "title": JIA_TITLE, "paragraphs": list(paragraphs)}


# ---------------------------------------------------------------- building blocks

def test_normalise_removes_whitespace_and_folds_width():
    assert normalise(" 道路全长,\n投资 八百万元。") == "道路全长,投资八百万元。"


def test_lcs_length():
    assert lcs_length("abcde", "ace") == 3
    assert lcs_length("", "abc") == 0
    assert lcs_length("甲乙丙丁", "乙丁戊") == 2


def test_split_sentences_chinese():
    assert split_sentences("甲。乙!丙?丁;戊") == ["甲。", "乙!", "丙?", "丁;", "戊"]
    # full-width marks split too (the shared score.py does not split at these)
    assert split_sentences("甲\uff01乙\uff1f丙\uff1b丁") == ["甲!", "乙?", "丙;", "丁"]
    assert split_sentences("增长5.1亿元,占比28.5%。") == ["增长5.1亿元,占比28.5%。"]


def test_split_sentences_english():
    assert split_sentences("He left. She stayed.") == ["Heleft.", "Shestayed."]
    assert split_sentences('"We are done." Eline said so.') == ['"Wearedone."', "Elinesaidso."]
    assert split_sentences("“We are done.” Eline said so.") == ["“Wearedone.”", "Elinesaidso."]
    # no split before a digit or a lower-case word
    assert split_sentences("At 10 a.m. on Jan. 8 it met.") == ["At10a.m.onJan.8itmet."]
    # known limitation: an abbreviation before a capital does split
    assert split_sentences("At 10 a.m. Tuesday.") == ["At10a.m.", "Tuesday."]


def test_readings_expand_choice_groups():
    article = {"title": "T", "paragraphs": [
        "a", {"choice": "x", "options": ["b1", "b2"]}, {"choice": "x", "options": ["", "c2"]},
        {"choice": "w", "options": ["d1", "d2"]}]}
    # groups in sorted name order (w before x), options in order, empty options dropped
    assert readings(article) == [
        ["T", "a", "b1", "d1"], ["T", "a", "b2", "c2", "d1"],
        ["T", "a", "b1", "d2"], ["T", "a", "b2", "c2", "d2"]]


def test_output_paragraphs_adds_title_and_reads_text():
    assert output_paragraphs({"title": "T", "paragraphs": ["a"]}) == ["T", "a"]
    assert output_paragraphs({"title": "T", "paragraphs": [" T ", "a"]}) == [" T ", "a"]
    assert output_paragraphs({"title": "T", "text": "a\n\n b\n \nc"}) == ["T", "a", " b", "c"]


# ---------------------------------------------------------------- hand-computed scores

def test_perfect_output():
    report = score(GOLD, [jia(JIA_1, JIA_2), YI_OUT])
    assert report["mean_f1"] == report["weighted_f1"] == 1.0
    assert report["articles"]["甲县"] == {
        "f1": 1.0, "recall": 1.0, "precision": 1.0, "gold_chars": 31, "out_chars": 31,
        "broken": 0, "missing": 0, "dup": 0.0, "foreign": 0.0, "matched_by": "region"}
    assert (report["total_broken"], report["total_missing"], report["max_dup"],
            report["max_foreign"], report["extra_articles"]) == (0, 0, 0.0, 0.0, 0)


def test_whitespace_width_and_text_field_do_not_matter():
    text = f"{JIA_TITLE}\n\n甲县 今年修了\n三条路。\n\n道路全长十二公里, 投资八百万元。"
    report = score(GOLD, [{"region": "甲县", "title": JIA_TITLE, "text": text}, YI_OUT])
    assert report["articles"]["甲县"]["f1"] == 1.0


def test_missing_paragraph():
    a = score(GOLD, [jia(JIA_1), YI_OUT])["articles"]["甲县"]
    # out = title + JIA_1 = 15 characters, all in the reference: lcs 15
    assert a["out_chars"] == 15 and a["gold_chars"] == 31
    assert a["f1"] == round(2 * 15 / 46, 4)
    assert a["recall"] == round(15 / 31, 4)
    assert a["precision"] == 1.0
    assert (a["missing"], a["broken"]) == (1, 0)


def test_sentence_cut_across_paragraphs_is_broken():
    a = score(GOLD, [jia(JIA_1 + "道路全长十二", "公里,投资八百万元。"), YI_OUT])["articles"]["甲县"]
    assert a["f1"] == 1.0
    assert (a["broken"], a["missing"]) == (1, 0)


def test_duplicate_paragraph():
    a = score(GOLD, [jia(JIA_1, JIA_2, JIA_2), YI_OUT])["articles"]["甲县"]
    # out = 31 + 16 = 47 characters, lcs 31; the second JIA_2 (16) is a dup
    assert a["f1"] == round(2 * 31 / 78, 4)
    assert a["precision"] == round(31 / 47, 4)
    assert a["dup"] == round(16 / 47, 4)


def test_truncated_copy_counts_as_dup():
    a = score(GOLD, [jia(JIA_1, JIA_2, "道路全长十二公里"), YI_OUT])["articles"]["甲县"]
    assert a["dup"] == round(8 / 39, 4)


def test_foreign_sentence_and_unmatched_article():
    report = score(GOLD, [jia(JIA_1, JIA_2, YI_1)])
    a, b = report["articles"]["甲县"], report["articles"]["乙县"]
    assert a["foreign"] == round(12 / 43, 4)
    assert a["f1"] == round(2 * 31 / 74, 4)
    assert b["matched_by"] == "none"
    assert (b["f1"], b["recall"], b["precision"]) == (0.0, 0.0, 0.0)
    assert b["missing"] == 3  # its title (6 characters) is checked too
    assert report["mean_f1"] == round((a["f1"] + 0.0) / 2, 4)
    assert report["weighted_f1"] == round(a["f1"] * 31 / 60, 4)


def test_match_by_content_when_region_is_unknown():
    report = score(GOLD, [jia(JIA_1, JIA_2), dict(YI_OUT, region="")])
    assert report["articles"]["乙县"]["matched_by"] == "content"
    assert report["articles"]["乙县"]["f1"] == 1.0
    assert report["extra_articles"] == 1


def test_split_article_is_reported():
    report = score(GOLD, [jia(JIA_1), jia(JIA_2), YI_OUT])
    assert report["articles"]["甲县"]["split_into"] == 2


def test_best_choice_counts():
    gold = {"articles": [{"region": "甲县", "title": JIA_TITLE, "paragraphs": [
        JIA_1, {"choice": "x", "options": [JIA_2, ""]}]}]}
    assert score(gold, [jia(JIA_1)])["mean_f1"] == 1.0
    assert score(gold, [jia(JIA_1, JIA_2)])["mean_f1"] == 1.0


def test_english_article():
    title = "ADAMS COUNTY: Budget passes"
    gold = {"articles": [{"region": "ADAMS COUNTY", "title": title, "paragraphs": [
        "The board met on Tuesday. It passed the budget.", "Taxes stay the same."]}]}

    def figures(*paragraphs):
        out = {"region": "ADAMS COUNTY", "title": title, "paragraphs": list(paragraphs)}
        return score(gold, [out])["articles"]["ADAMS COUNTY"]

    cut = figures("The board met on Tuesday. It passed", "the budget.", "Taxes stay the same.")
    assert (cut["f1"], cut["broken"], cut["missing"]) == (1.0, 1, 0)
    repeated = figures("The board met on Tuesday. It passed the budget.",
                       "Taxes stay the same.", "It passed the budget.")
    assert repeated["dup"] == round(len("Itpassedthebudget.") / repeated["out_chars"], 4)


# ---------------------------------------------------------------- agreement with score.py

def _shared_scorer():
    if not SHARED_SCORER.exists():
        pytest.skip("../shared/eval/score.py is not here (only the project's kit has it)")
    spec = importlib.util.spec_from_file_location("shared_score", SHARED_SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _assert_same_report(ours: dict, theirs: dict):
    assert set(ours) == set(theirs)
    assert set(ours["articles"]) == set(theirs["articles"])
    for region, figures in theirs["articles"].items():
        assert set(ours["articles"][region]) == set(figures), region
        for key, value in figures.items():
            mine = ours["articles"][region][key]
            if isinstance(value, str):
                assert mine == value, (region, key)
            else:
                assert mine == pytest.approx(value, abs=1e-3), (region, key)
    for key, value in theirs.items():
        if key != "articles":
            assert ours[key] == pytest.approx(value, abs=1e-3), key


def _sample_gold() -> dict:
    with open(SHARED_GOLD, encoding="utf-8") as f:
        return json.load(f)


def _first_readings(gold: dict) -> list[dict]:
    """The reference as output articles, every choice group at its first option."""
    return [{"region": a["region"], "title": a["title"], "paragraphs": readings(a)[0][1:]}
            for a in gold["articles"]]


def split_at_kickers(page: str, regions: list[str]) -> list[dict]:
    """The raw page as articles: a new article at each block starting "<region>:"."""
    articles = [{"region": "", "title": "", "paragraphs": []}]
    for block in (b.strip() for b in page.split("\n\n")):
        if not block:
            continue
        region = next((r for r in regions if normalise(block).startswith(r + ":")), None)
        if region:
            articles.append({"region": region, "title": "", "paragraphs": []})
        articles[-1]["paragraphs"].append(block)
    return [a for a in articles if a["paragraphs"]]


def _perturbations(gold: dict) -> dict[str, list[dict]]:
    clean = _first_readings(gold)
    dropped, duplicated, moved = (copy.deepcopy(clean) for _ in range(3))
    del dropped[0]["paragraphs"][3]
    duplicated[1]["paragraphs"][5:5] = duplicated[1]["paragraphs"][2:4]
    moved[0]["paragraphs"].append(moved[2]["paragraphs"].pop(4))
    return {"dropped": dropped, "duplicated": duplicated, "moved": moved,
            "no region": [dict(clean[0], region="")] + clean[1:]}


@pytest.fixture(scope="module")
def shared():
    return _shared_scorer()


def test_agrees_with_shared_scorer_on_gold_itself(shared):
    gold = _sample_gold()
    outputs = _first_readings(gold)
    ours = score(gold, outputs)
    assert ours["mean_f1"] == 1.0
    _assert_same_report(ours, shared.score(gold, outputs))


def test_agrees_with_shared_scorer_on_raw_sample(shared):
    gold = _sample_gold()
    outputs = split_at_kickers(SAMPLE.read_text(encoding="utf-8"),
                               [a["region"] for a in gold["articles"]])
    assert [a["region"] for a in outputs] == ["单县", "鲁西新区", "郓城县"]
    ours = score(gold, outputs)
    assert ours["mean_f1"] < 0.9
    _assert_same_report(ours, shared.score(gold, outputs))


@pytest.mark.parametrize("case", ["dropped", "duplicated", "moved", "no region"])
def test_agrees_with_shared_scorer_on_perturbed_gold(shared, case):
    gold = _sample_gold()
    outputs = _perturbations(gold)[case]
    ours = score(gold, outputs)
    assert ours["mean_f1"] < 1.0 or case == "no region"
    _assert_same_report(ours, shared.score(gold, outputs))
