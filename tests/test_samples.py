"""End to end on samples/heze_page.txt, scored with tests/scoring.py against the copy of
the hand-made reference in tests/gold/; nothing outside the repository is needed."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
import quality

from cleaner import clean_bytes, clean_text
from cleaner.config import DEFAULT
from cleaner.render import report


@pytest.fixture(scope="module")
def result():
    return clean_text(quality.sample_text(), source="heze_page.txt")


@pytest.fixture(scope="module")
def scores():
    return quality.sample_report()


def test_exactly_the_three_regions(result):
    assert [a.region for a in result.articles] == ["单县", "鲁西新区", "郓城县"]


def test_titles_are_the_kicker_headlines(result):
    assert [a.title for a in result.articles] == [
        "单县:创建党建示范片区 凝聚乡村振兴合力",
        "鲁西新区:聚力党建综合阵地建设 筑牢基层坚实堡垒",
        "郓城县:推动党组织领办合作社 书写强村富民新答卷",
    ]


def test_no_broken_duplicated_or_foreign_text(scores):
    assert scores["total_broken"] == 0
    assert scores["max_dup"] == 0
    assert scores["max_foreign"] == 0
    assert scores["extra_articles"] == 0


def test_every_article_matched_by_region(scores):
    assert {r: a["matched_by"] for r, a in scores["articles"].items()} == {
        "单县": "region", "鲁西新区": "region", "郓城县": "region"}


def test_mean_f1_at_least_the_floor(scores):
    assert scores["mean_f1"] >= quality.read_floors()["sample_mean_f1"]


def test_the_cut_word_is_mended(result):
    """Lines 41/43: "…更是近距离服" / "务群众的重要渠道…" is one paragraph again."""
    texts = [p.text for a in result.articles for p in a.paragraphs]
    assert any("更是近距离服务群众的重要渠道" in t for t in texts)
    assert not any(t.endswith("更是近距离服") for t in texts)


def test_the_continuation_is_joined_across_the_marker(result):
    """Lines 47/57/59: "建立了“街" / "(上接B6版)" / "道党工委—…" in 鲁西新区."""
    luxi = next(a for a in result.articles if a.region == "鲁西新区")
    assert any("建立了“街道党工委—党建办公室—党群服务中心”三级组织体系" in p.text for p in luxi.paragraphs)
    assert not any("上接" in p.text for a in result.articles for p in a.paragraphs)


def test_the_marker_is_a_marker_block(result):
    markers = [b for b in result.blocks if b.kind == "marker"]
    assert [(b.text, b.marker) for b in markers] == [("(上接B6版)", "from")]


def test_every_block_has_a_fate(result):
    fates = {b["index"]: b["fate"] for b in report(result, DEFAULT)["blocks"]}
    assert sorted(fates) == [b.index for b in result.blocks]
    assert set(fates.values()) <= {"kept", "copy", "joined", "marker", "empty", "title"}
    assert list(fates.values()).count("marker") == 1


def test_offsets_point_into_the_page(result):
    text = quality.sample_text()
    for block in result.blocks:
        raw = text[block.start:block.end]
        assert raw == raw.strip() and raw, block.index


def test_same_bytes_under_two_hash_seeds():
    """`python -m cleaner clean … --format jsonl` prints identical bytes whatever
    PYTHONHASHSEED is: no set or dict order leaks into the output."""
    outputs = []
    for seed in ("0", "123"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run(
            [sys.executable, "-m", "cleaner", "clean", "samples/heze_page.txt", "--format", "jsonl"],
            cwd=quality.ROOT, env=env, capture_output=True, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") == 3


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("gb18030"),
    lambda t: t.encode("gbk"),
    lambda t: t.encode("utf-16"),
    lambda t: t.encode("utf-16-le"),
    lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
    lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    lambda t: t.encode("utf-8").decode("sloppy-windows-1252").encode("utf-8"),
], ids=["gb18030", "gbk", "utf-16-bom", "utf-16-le-no-bom", "utf-8-bom", "crlf", "mojibake"])
def test_other_encodings_of_the_sample_give_the_same_articles(encode, result):
    import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252")

    pages = clean_bytes(encode(quality.sample_text()), source="heze_page.txt")
    assert len(pages) == 1
    assert pages[0].articles == result.articles
