"""``cleaner explain``: the decision report (JSON), the terminal summary and the HTML view.

The JSON report is checked against the input it describes, through the command line
(``cleaner explain PAGE --format json``), on the sample and on generated pages:

- offsets: ``text[start:end]`` is the block as printed (``text`` is the repaired page,
  ``PageResult.text``; for the UTF-8 sample, the file itself), and the blocks cover every
  non-whitespace character of the page once, in input order;
- copies: every ``copy`` names a block that carries its text (fate kept, joined or title)
  and that block's article holds the copy's text — its matching key inside the article's
  key, or for a cut-down, spliced or near copy, as much of it as the threshold that made
  it a copy asks (shingle containment, or edit similarity with the block it repeats);
- nothing lost: the text of every kept or joined block is in its article, except what a
  recorded ``trimmed`` decision removed.

The browser test of the HTML view is ``test_html_browser.py``; here the HTML is checked
as text (self-contained, escaped, every block present, fast to build).
"""
from __future__ import annotations

import json
import re
import time
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import damage
import pytest
from click.testing import CliRunner
from rapidfuzz.distance import Indel

from cleaner import clean_bytes, clean_text, fingerprint
from cleaner.cli import main
from cleaner.config import DEFAULT
from cleaner.html import page_html
from cleaner.languages import ends_sentence, get, sentences
from cleaner.normalise import key, shingles
from cleaner.render import report

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "heze_page.txt"
CARRIERS = {"kept", "joined", "title"}
#: a near-copy's key is at least this share of its carrier's length (see copy_problems)
SAME_LENGTH = 0.8


def explain(*args, ok: int = 0):
    result = CliRunner().invoke(main, ["explain", *map(str, args)], catch_exceptions=False)
    assert result.exit_code == ok, result.output
    return result


def explain_json(path: Path) -> dict:
    (line,) = explain(path, "--format", "json").stdout.splitlines()
    return json.loads(line)


@lru_cache(maxsize=None)
def sample_report() -> dict:
    return explain_json(SAMPLE)


def page_text(path: Path) -> str:
    """The text the offsets point into: the page as decoded and repaired."""
    (result,) = clean_bytes(path.read_bytes())
    return result.text


# ---------------------------------------------------------------- the checks

def _mend(text: str) -> str:
    """Line-end hyphens joined, as segment mends them (the output keeps a real hyphen
    either way: the keys below drop punctuation)."""
    return re.sub(r"(?<=[A-Za-z])-[ \t]*\n\s*(?=[a-z])", "", text)


def _key(text: str, lang) -> str:
    return key(_mend(text), lang)


def _flat(text: str, lang) -> str:
    return _key(text, lang).replace(" ", "")


def _article_text(article: dict) -> str:
    return "\n".join([article["title"], *article["paragraphs"]])


def offset_problems(text: str, rep: dict) -> list:
    """Each block's offsets against the page it came from."""
    problems = []
    lang = get(rep["lang"])
    blocks = rep["blocks"]
    if [b["index"] for b in blocks] != list(range(len(blocks))):
        problems.append(("indices are not 0..n-1 in order", [b["index"] for b in blocks]))
    result = clean_text(text)
    readings = {b.index: b for b in result.blocks}
    end = 0
    for b in blocks:
        raw = text[b["start"]:b["end"]]
        if not 0 <= b["start"] < b["end"] <= len(text):
            problems.append((b["index"], "offsets outside the page", b["start"], b["end"]))
            continue
        if b["start"] < end:
            problems.append((b["index"], "overlaps the block before"))
        if text[end:b["start"]].strip():
            problems.append((b["index"], "text before it is in no block", text[end:b["start"]].strip()[:40]))
        end = max(end, b["end"])
        if raw != raw.strip() or re.search(r"\n[ \t\u3000]*\n", raw):
            problems.append((b["index"], "not one run of lines", raw[:40]))
        reading = readings[b["index"]]
        said = f"{reading.region}:{reading.text}" if reading.kind == "kicker" else reading.text
        if _flat(raw, lang) != _flat(said, lang):
            problems.append((b["index"], "offsets do not hold the block's text", raw[:30], said[:30]))
    if text[end:].strip():
        problems.append(("text after the last block is in no block", text[end:].strip()[:40]))
    return problems


def copy_problems(text: str, rep: dict, config=DEFAULT) -> list:
    """Every copy names a carrier in an article, and that article holds the copy's text."""
    problems = []
    lang = get(rep["lang"])
    by_index = {b["index"]: b for b in rep["blocks"]}
    for b in rep["blocks"]:
        if b["fate"] != "copy":
            continue
        target = by_index.get(b.get("copy_of"))
        if target is None or target["fate"] not in CARRIERS or "article_number" not in target:
            problems.append((b["index"], "copy of a block that is in no article", b.get("copy_of"),
                             target and target["fate"], b["reason"]))
            continue
        raw = text[b["start"]:b["end"]]
        article = _article_text(rep["articles"][target["article_number"]])
        if _flat(raw, lang) in _flat(article, lang):
            continue
        mine = shingles(_key(raw, lang), lang, config.shingle_cjk, config.shingle_words)
        theirs = shingles(_key(article, lang), lang, config.shingle_cjk, config.shingle_words)
        share = len(mine & theirs) / max(1, len(mine))
        needed = config.splice if b["reason"].startswith("spliced") else config.containment
        # a near-copy is another reading of the block it repeats, which its article holds;
        # a reading changes a phrase or two, so it is about as long as that block (a copy
        # much longer than its carrier holds text of its own, which must be in the article)
        mine_key, carrier_key = _key(raw, lang), _key(text[target["start"]:target["end"]], lang)
        similarity = Indel.normalized_similarity(mine_key, carrier_key)
        reading = similarity >= config.near_copy - 0.02 and len(mine_key) <= len(carrier_key) / SAME_LENGTH
        if share < needed and not reading:
            problems.append((b["index"], "text not in the article of the block it repeats", b["reason"],
                             b.get("copy_of"), round(share, 2), round(similarity, 2), raw[:40]))
    return problems


def kept_problems(text: str, rep: dict) -> list:
    """The text of every kept or joined block is in its article, but for recorded trims."""
    problems = []
    lang = get(rep["lang"])
    by_index = {b["index"]: b for b in rep["blocks"]}
    for b in rep["blocks"]:
        if b["fate"] not in ("kept", "joined"):
            continue
        if "article_number" not in b:
            problems.append((b["index"], "kept but in no article"))
            continue
        article = rep["articles"][b["article_number"]]
        whole = _flat(_article_text(article), lang)
        raw = text[b["start"]:b["end"]]
        if _flat(raw, lang) in whole:
            continue
        # tidy records a trim on the last block of a joined paragraph, whichever block
        # held the sentence, so a trim counts for the whole paragraph
        paragraph = next((p for p in article["paragraph_blocks"] if b["index"] in p), [b["index"]])
        trimmed = any(n.startswith("trimmed") for i in paragraph for n in by_index[i].get("notes", []))
        pieces = sentences(" ".join(_mend(raw).split()), lang)
        for n, sentence in enumerate(pieces):
            if trimmed and n == len(pieces) - 1 and not ends_sentence(sentence, lang):
                continue   # an unfinished repeat or a dangling scrap, trimmed
            if _flat(sentence, lang) not in whole:
                problems.append((b["index"], b["fate"], "text not in its article", sentence[:40]))
    return problems


def all_problems(text: str, rep: dict) -> dict:
    found = {"offsets": offset_problems(text, rep), "copies": copy_problems(text, rep),
             "kept": kept_problems(text, rep)}
    return {k: v for k, v in found.items() if v}


# ---------------------------------------------------------------- the sample

def test_sample_offsets_are_into_the_file():
    text = SAMPLE.read_text(encoding="utf-8")
    assert page_text(SAMPLE) == text            # UTF-8, nothing to repair
    assert offset_problems(text, sample_report()) == []


def test_sample_blocks_cover_the_page_once():
    text = SAMPLE.read_text(encoding="utf-8")
    covered = [0] * len(text)
    for b in sample_report()["blocks"]:
        for i in range(b["start"], b["end"]):
            covered[i] += 1
    assert max(covered) == 1
    assert all(covered[i] == 1 for i, c in enumerate(text) if not c.isspace())


def test_sample_copies_point_at_blocks_whose_article_holds_their_text():
    rep = sample_report()
    assert rep["counts"]["copy"] == 19
    assert copy_problems(SAMPLE.read_text(encoding="utf-8"), rep) == []
    # the README's example: block 60 repeats block 20, which went to 鲁西新区
    assert rep["blocks"][60]["copy_of"] == 20 and rep["blocks"][60]["score"] == 1.0
    assert rep["blocks"][20]["article"] == "鲁西新区"


def test_sample_kept_and_joined_text_is_in_its_article():
    assert kept_problems(SAMPLE.read_text(encoding="utf-8"), sample_report()) == []


def test_sample_blocks_say_where_they_went():
    rep = sample_report()
    for b in rep["blocks"]:
        assert b["fate"] in ("kept", "joined", "copy", "marker", "empty", "title"), b
        assert b["reason"], b
        if b["fate"] == "joined":
            assert rep["blocks"][b["joined_with"]]["article_number"] == b["article_number"], b
        if b["fate"] in CARRIERS:
            article = rep["articles"][b["article_number"]]
            assert b["article"] == (article["region"] or article["title"])
            if b["fate"] == "title":
                assert b["index"] in article["title_blocks"]
            else:
                assert b["index"] in article["paragraph_blocks"][b["position"]]
        else:
            assert "article_number" not in b and "position" not in b, b
        if b["fate"] == "copy" and b["stage"] == "copies":
            assert 0 < b["score"] <= 1, b        # the evidence that decided it


def test_every_paragraph_lists_its_blocks_once():
    rep = sample_report()
    placed = [i for a in rep["articles"] for p in a["paragraph_blocks"] for i in p]
    titles = [i for a in rep["articles"] for i in a["title_blocks"]]
    assert len(placed) == len(set(placed)) and not set(placed) & set(titles)
    assert sorted(placed) == sorted(b["index"] for b in rep["blocks"] if b["fate"] in ("kept", "joined"))
    assert sorted(titles) == sorted(b["index"] for b in rep["blocks"] if b["fate"] == "title")
    for a in rep["articles"]:
        assert len(a["paragraph_blocks"]) == len(a["paragraphs"]) == len(a["kinds"])
        assert all(p for p in a["paragraph_blocks"])


def test_json_names_the_options_and_versions():
    rep = sample_report()
    options = rep["options"]
    for name in ("num_perm", "lsh_threshold", "containment", "near_copy", "splice", "shingle_cjk", "shingle_words"):
        assert options[name] == getattr(DEFAULT, name), name
    minhash = rep["versions"]["minhash"]
    assert minhash["library"] == "datasketch" and minhash["version"]
    assert minhash["permutations"] == "affine32"       # datasketch 2.x's default scheme
    assert minhash["hash"] and minhash["seed"] == 1
    # the hash of the signatures copies computes (the fast path), not datasketch's default
    assert minhash["hash"] == fingerprint.HASH and "fmix64" in minhash["hash_definition"]
    assert minhash["num_perm"] == DEFAULT.num_perm
    assert minhash["lsh_bands"] * minhash["lsh_rows"] <= DEFAULT.num_perm
    assert rep["versions"]["cleaner"]
    assert rep["encoding"] == "utf-8" and rep["repairs"] == [] and rep["lang"] == "zh"
    # options given on the command line are the ones recorded
    (line,) = explain(SAMPLE, "--format", "json", "--num-perm", "64", "--threshold", "0.5").stdout.splitlines()
    minhash = json.loads(line)["versions"]["minhash"]
    assert (minhash["num_perm"], minhash["lsh_threshold"]) == (64, 0.5)
    assert minhash["lsh_bands"] * minhash["lsh_rows"] <= 64


def test_report_json_of_clean_is_the_same_record(tmp_path):
    result = CliRunner().invoke(main, ["clean", str(SAMPLE), "-o", str(tmp_path / "out"), "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "out" / "heze_page" / "report.json").read_text(encoding="utf-8"))
    written.pop("input")                # the --resume stamp
    assert written == sample_report()


# ---------------------------------------------------------------- generated pages

#: (language, seed, page number) of damage.generate_pages pages, and why a check fails there
PAGES = [
    ("zh", 0, 1, None), ("zh", 0, 2, None), ("zh", 0, 10, None), ("zh", 2, 2, None),
    ("en", 0, 1, None), ("en", 0, 7, None), ("en", 0, 26, None), ("en", 0, 29, None), ("en", 2, 16, None),
    ("zh", 0, 0, None),
    ("en", 1, 9, None), ("en", 1, 25, None),
]


@lru_cache(maxsize=None)
def generated(lang: str, seed: int, number: int) -> str:
    return damage.generate_pages(lang, number + 1, seed=seed)[number].text


@pytest.mark.parametrize("lang, seed, number, bug", [
    pytest.param(*p, marks=pytest.mark.xfail(strict=True, reason=p[3]) if p[3] else (), id=f"{p[0]}-{p[1]}-{p[2]}")
    for p in PAGES])
def test_generated_page_report_matches_its_input(tmp_path, lang, seed, number, bug):
    path = tmp_path / f"{lang}_{seed}_{number}.txt"
    path.write_bytes(generated(lang, seed, number).encode("utf-8"))
    rep = explain_json(path)
    text = page_text(path)          # ftfy may have repaired the page: offsets point into that
    assert (text == path.read_text(encoding="utf-8")) == (not rep["repairs"])
    assert all_problems(text, rep) == {}


# ---------------------------------------------------------------- the summary

SUMMARY_LINE = re.compile(r"^ {5}(\d+) paragraphs? from (\d+) blocks? \((\d+) joined, (\d+) moved\), "
                          r"(\d+) title blocks?, (\d+) (?:copy|copies) dropped$")


def test_summary_counts_agree_with_the_json():
    out = explain(SAMPLE).stdout
    rep = sample_report()
    lines = out.splitlines()
    assert lines[0] == "samples/heze_page.txt: 89 blocks, 3 articles (zh)" or lines[0].endswith(
        f": {len(rep['blocks'])} blocks, {len(rep['articles'])} articles (zh)")
    figures = [tuple(map(int, m.groups())) for m in map(SUMMARY_LINE.match, lines) if m]
    assert len(figures) == len(rep["articles"])
    by_index = {b["index"]: b for b in rep["blocks"]}
    for n, (article, got) in enumerate(zip(rep["articles"], figures)):
        mine = [b for b in rep["blocks"] if b.get("article_number") == n]
        body = [b for b in mine if b["fate"] in ("kept", "joined")]
        expected = (len(article["paragraphs"]), len(body), sum(b["fate"] == "joined" for b in body),
                    sum(any(x.startswith("moved") for x in b.get("notes", [])) for b in body),
                    len(article["title_blocks"]),
                    sum(1 for b in rep["blocks"] if b["fate"] == "copy"
                        and by_index[b["copy_of"]].get("article_number") == n))
        assert got == expected, (article["region"], got, expected)
        assert f"{n + 1}. {article['region']}: " in out
    assert sum(f[5] for f in figures) == rep["counts"]["copy"]
    assert lines[-1] == "  blocks by fate: " + ", ".join(f"{k} {v}" for k, v in sorted(rep["counts"].items()))
    # the sample: 鲁西新区 was printed inside 单县 and again after its own article
    assert figures[1][3] == 22 and figures[1][5] == 17 and figures[0][5] == 0


def test_summary_is_the_default_only_without_output(tmp_path):
    assert explain(SAMPLE).stdout == explain(SAMPLE, "--format", "summary").stdout
    target = tmp_path / "report.json"
    explain(SAMPLE, "-o", target)
    assert json.loads(target.read_text(encoding="utf-8")) == sample_report()


# ---------------------------------------------------------------- the HTML view

@lru_cache(maxsize=None)
def big_page() -> tuple[str, int]:
    """A page of at least 1,000 blocks: generated Chinese pages printed one after another."""
    texts, blocks = [], 0
    for page in damage.generate_pages("zh", 40, seed=7):
        texts.append(page.text.strip("\n"))
        blocks += len(clean_text(page.text).blocks)
        if blocks >= 1000:
            break
    text = "\n\n".join(texts) + "\n"
    return text, len(clean_text(text).blocks)


def test_html_is_written_atomically_and_self_contained(tmp_path):
    target = tmp_path / "view" / "report.html"
    assert explain(SAMPLE, "-o", target).stdout == ""
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]    # no temporary left
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert explain(SAMPLE, "--format", "html").stdout == page
    # nothing to fetch: no links to files or hosts, no fonts, and a policy that forbids them
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?!#)[^"'\s>]""", page)
    assert not re.search(r"@import|@font-face|url\(|<link|<iframe|<object", page, re.I)
    assert "default-src 'none'" in page and "unsafe-inline" not in page
    rep = sample_report()
    for b in rep["blocks"]:
        assert f'id="p0-b{b["index"]}"' in page
        assert f'<span class="fate">{b["fate"]}</span>' in page
    assert 'href="#p0-b20" data-go="p0-b20">#20</a>' in page     # block 60 is a copy of 20
    assert 'class="mark moved"' in page
    assert 'continues <a href="#p0-b19" data-go="p0-b19">#19</a>' in page


class _Tags(HTMLParser):
    """Every tag and attribute of a document, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_html_escapes_page_text(tmp_path):
    hostile = ("甲县:标题<script>alert(1)</script>\n\n"
               "甲县今年\"><img src=x onerror=alert(1)>新修了三条乡村公路,方便群众出行。</script><b>&amp;\n\n"
               "乙县:标题' onmouseover='alert(2)\n\n乙县今年新修了两座桥</textarea>,方便群众出行。\n")
    path = tmp_path / "hostile.txt"
    path.write_text(hostile, encoding="utf-8")
    page = explain(path, "--format", "html").stdout
    parsed = _Tags()
    parsed.feed(page)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"img", "b", "textarea", "iframe", "object", "link", "base"}, tags
    assert [tag for tag, _ in parsed.tags].count("script") == 2     # the data and the view's own script
    attributes = {name for _, attrs in parsed.tags for name, _ in attrs}
    assert not [a for a in attributes if a.startswith("on")], attributes
    shown = "".join(parsed.text)
    assert '"><img src=x onerror=alert(1)>' in shown and "<script>alert(1)</script>" in shown
    assert "&amp;" in shown and "' onmouseover='alert(2)" in shown
    data = re.search(r'<script type="application/json" id="cleaner-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in data and ">" not in data
    assert json.loads(data)["pages"][0]["blocks"] == explain_json(path)["blocks"]


def test_html_of_a_thousand_blocks_is_quick_to_build():
    text, count = big_page()
    assert count >= 1000
    result = clean_text(text)
    rep = report(result, DEFAULT)
    started = time.perf_counter()
    page = page_html(rep, result.text)
    assert time.perf_counter() - started < 2
    assert page.count('class="blk ') == len(result.blocks)
    assert len(page.encode("utf-8")) < 12 * len(text.encode("utf-8")) + 200_000


def test_html_of_a_dump_has_one_tab_per_page(tmp_path):
    dump = tmp_path / "dump.txt"
    dump.write_text(generated("zh", 0, 1) + "\f" + generated("en", 0, 1), encoding="utf-8")
    page = explain(dump, "--format", "html").stdout
    assert page.count('<main class="page') == 2 and page.count('data-page="') == 2
    assert 'id="p1-b0"' in page
    assert len(explain(dump, "--format", "json").stdout.splitlines()) == 2


def test_explain_output_errors_are_one_line(tmp_path):
    result = explain(SAMPLE, "-o", tmp_path, ok=2)                 # a folder is not a file
    assert "Error" in result.stderr and "Traceback" not in result.stderr
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    result = explain(SAMPLE, "-o", blocked / "report.html", ok=1)   # its folder is a file
    assert result.stderr.startswith("cleaner: error: cannot write") and len(result.stderr.splitlines()) == 1
