"""Corpus mode's pure core (cleaner/corpus.py): records, candidates, verification,
components and representatives, on planted reprints of generated pages."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import damage
from cleaner import clean_text
from cleaner.cli import main
from cleaner.corpus import (Record, Rules, ShingleTable, band_keys, cluster_records, components, lsh_pairs,
                            overlap, page_records, representative, shingle_set, signature_matrix)
from cleaner.languages import ZH
from cleaner.normalise import key

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "heze_page.txt"
RULES = Rules()


def rec(rid: str, text: str, seen: int, kind: str = "fragment", lang: str = "zh") -> Record:
    k = key(text, ZH) if lang == "zh" else text.lower()
    return Record(rid, kind, seen, rid.split("#")[0], 1, 0, 0 if kind == "fragment" else None, (0,), ((0, 1),),
                  lang, k)


@pytest.fixture(scope="module")
def pages():
    return damage.generate_pages("zh", 4, seed=11) + damage.generate_pages("en", 3, seed=11)


def records_of(texts: list[tuple[str, str]]) -> list[Record]:
    out: list[Record] = []
    for source, text in texts:
        out += page_records(clean_text(text), source, 1, len(out))
    return out


def test_page_records_follow_the_page():
    text = SAMPLE.read_text(encoding="utf-8")
    result = clean_text(text)
    records = page_records(result, "heze.txt", 1)
    articles = [r for r in records if r.kind == "article"]
    assert len(articles) == len(result.articles)
    assert [r.seen for r in records] == list(range(len(records)))
    assert records[0].id == "heze.txt#1/0" and records[1].id == "heze.txt#1/0/0"
    for r in records:
        article = result.articles[r.article]
        blocks = article.blocks if r.kind == "article" else article.paragraphs[r.paragraph].blocks
        assert r.blocks == blocks
        assert r.spans == tuple((result.blocks[b].start, result.blocks[b].end) for b in blocks)
        for start, end in r.spans:
            assert result.text[start:end].strip()


def test_a_page_scraped_twice_is_one_cluster_per_article(pages):
    text = pages[0].text
    records = records_of([("a.txt", text), ("b.txt", text), ("c.txt", pages[1].text)])
    clusters = cluster_records(records, RULES)
    n_articles = sum(1 for r in records if r.kind == "article" and r.source == "a.txt")
    twice = [c for c in clusters if c.kind == "article" and {m.record.source for m in c.members} >= {"a.txt", "b.txt"}]
    assert len(twice) == n_articles
    for c in twice:
        assert c.reason in ("first_seen", "most_complete")
        kept = [m for m in c.members if m.kept]
        assert len(kept) == 1 and kept[0].record.id == c.representative.id
        for m in c.members:
            if m.record.source in ("a.txt", "b.txt") and m.record.article == c.representative.article:
                assert m.jaccard == 1.0 and m.containment == 1.0


def test_cut_down_reprint_is_contained_and_the_fuller_one_kept():
    full = ("近年来,山东省菏泽市单县紧紧围绕党建引领乡村振兴这条主线,创新实施片区化党建模式,"
            "把地域相邻、产业相近的村庄划为片区,统筹资源力量,推动产业向片区集中、人才向片区流动。")
    cut = full[:len(full) * 2 // 3]
    other = "郓城县坚持把发展特色产业作为农民增收的重要途径,大力发展高效农业和乡村旅游,带动群众就业增收致富。"
    records = [rec("cut.txt#1/0/0", cut, 0), rec("full.txt#1/0/0", full, 1), rec("other.txt#1/0/0", other, 2)]
    clusters = cluster_records(records, RULES)
    assert len(clusters) == 1
    c = clusters[0]
    assert c.representative.id == "full.txt#1/0/0" and c.reason == "most_complete"
    cut_member = next(m for m in c.members if m.record.id == "cut.txt#1/0/0")
    assert cut_member.containment == 1.0 and cut_member.jaccard < 0.8 and not cut_member.kept
    assert [m.record.id for m in c.members] == ["cut.txt#1/0/0", "full.txt#1/0/0"]   # by seen


def test_equal_readings_keep_the_first_seen():
    text = "鲁西新区强化党建综合阵地建设,引导和服务大局,推进服务标准化、规范化、便利化,打造群众家门口的服务窗口。"
    members = [rec("z.txt#1/0/0", text, 5), rec("a.txt#1/0/0", text, 7)]
    best, reason, detail = representative(members, RULES)
    assert best.id == "z.txt#1/0/0" and reason == "first_seen" and "equally complete" in detail


def test_unrelated_pages_do_not_cluster(pages):
    records = records_of([(f"p{n}.txt", p.text) for n, p in enumerate(pages)])
    clusters = cluster_records(records, RULES)
    for c in clusters:
        for m in c.members:
            assert m.jaccard >= RULES.jaccard_min or m.containment >= RULES.containment_min or len(c.members) > 2


def test_articles_and_fragments_never_mix(pages):
    text = pages[2].text
    records = records_of([("a.txt", text), ("b.txt", text)])
    for c in cluster_records(records, RULES):
        assert {m.record.kind for m in c.members} == {c.kind}


def test_short_records_take_no_part():
    records = [rec("a.txt#1/0/0", "结语", 0), rec("b.txt#1/0/0", "结语", 1)]
    assert cluster_records(records, RULES) == []


def test_overlap_counts_distinct_hashes():
    a = np.array([1, 2, 3, 4, 5, 6, 7, 8], dtype=np.uint64)
    b = np.array([5, 6, 7, 8, 9, 10, 11, 12], dtype=np.uint64)
    assert overlap(a, b) == (4 / 12, 4 / 8)
    assert overlap(np.zeros(0, dtype=np.uint64), b) == (0.0, 0.0)


def test_shingle_hashes_are_the_shingles():
    """64-bit hashes of the shingles of normalise.shingles, one per distinct shingle:
    base_hash of the shingle (high 32 bits) and of the shingle reversed (low 32 bits)."""
    from cleaner.languages import EN
    from cleaner.minhash import base_hash
    from cleaner.normalise import shingles

    records = [rec("a.txt#1/0/0", "近年来,山东省菏泽市单县紧紧围绕党建引领乡村振兴这条主线,乡村振兴这条主线", 0),
               rec("b.txt#1/0/0", "the long term plan of the long term plan is a plan", 1, lang="en"),
               rec("c.txt#1/0/0", "two words", 2, lang="en"), rec("d.txt#1/0/0", "", 3)]
    table = ShingleTable(records, RULES)
    for i, r in enumerate(records):
        words = shingles(r.key, ZH if r.lang == "zh" else EN, RULES.shingle_cjk, RULES.shingle_words)
        want = sorted((base_hash(s) << 32) | base_hash(s[::-1]) for s in words)
        assert table[i].tolist() == want == shingle_set(r, RULES).tolist()
        assert table.sizes[i] == len(words)


def test_table_common_counts_match_set_intersections(pages):
    records = records_of([("a.txt", pages[0].text), ("b.txt", pages[0].text[:2000]), ("c.txt", pages[5].text)])
    table = ShingleTable(records, RULES)
    rng = np.random.default_rng(3)
    left, right = rng.integers(0, len(records), 500), rng.integers(0, len(records), 500)
    want = [len(set(table[i].tolist()) & set(table[j].tolist())) for i, j in zip(left, right)]
    assert table.common(left, right).tolist() == want
    assert sum(want) > 0 and want.count(0) > 0


def test_components_union_find():
    assert components(6, [(0, 1), (1, 2), (4, 5)]) == [[0, 1, 2], [4, 5]]
    assert components(3, []) == []
    assert components(4, [(3, 0), (2, 3)]) == [[0, 2, 3]]


def test_bucket_pairs_rule():
    """In one crowded bucket, position p pairs with positions 0 .. min(p, bucket_pairs) - 1."""
    rules = Rules(bucket_pairs=2)
    n = 5
    records = [rec(f"r{i}.txt#1/0/0", "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳" + str(i), seen=10 - i) for i in range(n)]
    sigs = np.zeros((n, rules.num_perm), dtype=np.uint32)   # every band equal: one bucket per band
    pairs = {tuple(p) for p in lsh_pairs(records, sigs, rules).tolist()}
    by_seen = sorted(range(n), key=lambda i: records[i].seen)   # 4, 3, 2, 1, 0
    want = {(by_seen[k], by_seen[p]) for p in range(1, n) for k in range(min(p, 2))}
    assert pairs == want


def test_band_keys_name_kind_band_and_values():
    sig = np.arange(RULES.num_perm, dtype=np.uint32)
    b, r = RULES.bands
    keys = band_keys("fragment", sig, RULES)
    assert len(keys) == b and len(set(keys)) == b
    assert keys[1] == b"f" + (1).to_bytes(2, "big") + b"".join(int(v).to_bytes(4, "big") for v in range(r, 2 * r))
    assert band_keys("article", sig, RULES)[0][:1] == b"a"


def test_signature_rows_match_fingerprint():
    from cleaner import fingerprint

    records = [rec("a.txt#1/0/0", "近年来,山东省菏泽市单县紧紧围绕党建引领乡村振兴这条主线", 0),
               rec("b.txt#1/0/0", "the long term plan of the county", 1, lang="en")]
    matrix = signature_matrix(records, RULES)
    zh = fingerprint.signature_matrix([records[0].key], RULES.num_perm, size=RULES.shingle_cjk, words=False)
    en = fingerprint.signature_matrix([records[1].key], RULES.num_perm, size=RULES.shingle_words, words=True)
    assert matrix.dtype == np.uint32 and (matrix[0] == zh[0]).all() and (matrix[1] == en[0]).all()
    assert RULES.metadata()["scheme"] == fingerprint.scheme(fingerprint.HASH)


def test_order_and_ids_do_not_depend_on_input_order(pages):
    records = records_of([("a.txt", pages[0].text), ("b.txt", pages[0].text), ("c.txt", pages[3].text)])
    first = [c.as_dict() for c in cluster_records(records, RULES)]
    shuffled = list(reversed(records))
    assert [c.as_dict() for c in cluster_records(shuffled, RULES)] == first
    for c in first:
        assert c["cluster"].startswith(("a-", "f-")) and len(c["cluster"]) == 14


def test_same_output_across_hash_seeds(tmp_path, pages):
    for n, p in enumerate(pages[:3]):
        (tmp_path / f"p{n}.txt").write_text(p.text, encoding="utf-8")
    (tmp_path / "again.txt").write_text(pages[0].text, encoding="utf-8")
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outs.append(subprocess.run([sys.executable, "-m", "cleaner", "dedup", str(tmp_path), "-q"], env=env,
                                   capture_output=True, check=True).stdout)
    assert outs[0] == outs[1] and outs[0].count(b"\n") > 0


def test_cli_clusters_and_articles(tmp_path, pages):
    for n, p in enumerate(pages[:2]):
        (tmp_path / f"p{n}.txt").write_text(p.text, encoding="utf-8")
    (tmp_path / "reprint.txt").write_text(pages[0].text, encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "clusters.jsonl"
    result = runner.invoke(main, ["dedup", str(tmp_path / "p0.txt"), str(tmp_path / "p1.txt"),
                                  str(tmp_path / "reprint.txt"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    clusters = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    articles = [c for c in clusters if c["kind"] == "article"]
    assert articles and all(c["size"] >= 2 for c in clusters)
    for c in clusters:
        kept = [m for m in c["members"] if m["kept"]]
        assert len(kept) == 1 and kept[0]["id"] == c["representative"]
        assert {"source", "page", "article", "blocks", "spans", "jaccard", "containment"} <= set(c["members"][0])
    emitted = tmp_path / "articles.jsonl"
    result = runner.invoke(main, ["dedup", str(tmp_path / "p0.txt"), str(tmp_path / "p1.txt"),
                                  str(tmp_path / "reprint.txt"), "--emit", "articles", "-o", str(emitted)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in emitted.read_text(encoding="utf-8").splitlines()]
    assert not any(a["source"].endswith("reprint.txt") for a in lines)    # p0 was read first
    from_p0 = [a for a in lines if a["source"].endswith("p0.txt")]
    assert from_p0 and all(any(x["source"].endswith("reprint.txt") for x in a["also_in"]) for a in from_p0)
    ids = [a["id"] for a in lines]
    assert len(ids) == len(set(ids))
    dropped = {m["id"] for c in articles for m in c["members"] if not m["kept"]}
    assert not dropped & set(ids)


def test_cli_bad_input_is_one_line(tmp_path, pages):
    (tmp_path / "p.txt").write_text(pages[0].text, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["dedup", str(tmp_path), "-q"])
    assert result.exit_code == 1
    assert "cleaner: error:" in result.output and "Traceback" not in result.output
