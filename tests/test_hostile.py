"""Hostile input: every bad input gets the right answer, or one clear error line and a
non-zero exit, never a traceback and never a partial output file.

- binary, empty, whitespace-only and marker-only files, in-process (click's CliRunner)
  and in a real process (``python -m cleaner``);
- pages above the size guards (``--max-bytes``, ``--max-blocks``, ``--max-placements``);
- Big5 and UTF-16 versions of a damaged English and a damaged Chinese page give the same
  articles as UTF-8;
- every regular expression of the pipeline stays linear on adversarial 100 KB strings,
  and the patterns rewritten for that still match what they matched before.

The resource bounds themselves are measured by ``benchmarks/limits.py`` (README,
"Guarantees and limits").
"""
from __future__ import annotations

import codecs
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import EncodingError, TooLargeError, clean_bytes, clean_text, html, languages, normalise, places
from cleaner import reading, rejoin, segment
from cleaner.cli import main
from cleaner.config import DEFAULT, Config
from cleaner.render import report

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "heze_page.txt"
CORPUS = ROOT / "tests" / "corpus"

# ---------------------------------------------------------------- inputs

#: bytes that are not a page; each must be one error line
BINARY = {
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
    "elf": b"\x7fELF\x02\x01\x01\x00" + random.Random(0).randbytes(4096),
    "zeros": b"\x00" * 4096,
    "random": random.Random(1).randbytes(10_000),
    "gzip": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + random.Random(2).randbytes(2000),
}

#: files with no text in them; each must be one "empty" error line
EMPTY = {
    "empty": b"",
    "spaces": b"   \n\t\n  \n",
    "ideographic-spaces": "\u3000\u3000\n\n\u3000\n".encode("utf-8"),
    "form-feeds": b"\f\f\n\f  \f",
    "crlf": b"\r\n\r\n\r\n",
    "bom-only": codecs.BOM_UTF8,
    "utf16-spaces": " \n \n".encode("utf-16"),
    "line-separators": "\u2028\u2029\n".encode("utf-8"),
}

#: pages of continuation markers only: the right answer is no article and every block a marker
MARKERS = {
    "zh": "(上接B6版)\n\n(下转第3版)\n\n(接第2版)\n\n上接第二版\n",
    "en": "Continued from Page A1\n\n(Continued on Page A6)\n\nSee BUDGET, Page 3\n\nCont. from P. 2\n",
}


def invoke(*args, ok: tuple[int, ...] = (0,)):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in ok, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("cleaner: error:")]


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def assert_one_clean_error(result, name: str, says: str, out: Path | None = None) -> None:
    """Exit 1, one error line naming the input, no traceback, nothing written for it."""
    assert result.exit_code == 1, result.stderr
    errors = error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    assert name in errors[0] and says in errors[0], errors[0]
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    if out is not None:
        # the index files stay consistent (no record, no page), and no page folder or
        # temporary file is left behind for the failed input
        assert files_under(out) <= {"manifest.json", "articles.jsonl"}, files_under(out)
        assert (out / "articles.jsonl").read_text(encoding="utf-8") == ""
    else:
        assert result.stdout == ""


# ---------------------------------------------------------------- library

@pytest.mark.parametrize("text", ["", " ", "\n\n\n", "\t \u3000\n", "\u2028\u2029", "\x00\x01\x7f", "\u200b\ufeff"])
def test_pages_without_text_have_no_blocks_and_no_articles(text):
    result = clean_text(text)
    assert result.blocks == () and result.articles == ()
    assert report(result, DEFAULT)["blocks"] == []


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_dumps_without_text_have_no_pages(name):
    assert clean_bytes(EMPTY[name]) == []


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_bytes_raise_an_encoding_error(name):
    with pytest.raises(EncodingError, match="binary|encoding"):
        clean_bytes(BINARY[name])


@pytest.mark.parametrize("lang", sorted(MARKERS))
def test_a_page_of_markers_only_has_no_articles(lang):
    result = clean_text(MARKERS[lang])
    assert result.lang == lang
    assert result.articles == ()
    fates = [b["fate"] for b in report(result, DEFAULT)["blocks"]]
    assert fates == ["marker"] * 4


def test_the_size_guards_raise_too_large_errors_that_name_their_option():
    text = SAMPLE.read_text(encoding="utf-8")
    for option, value, says in (("max_bytes", 1000, "--max-bytes"), ("max_page_bytes", 1000, "--max-page-bytes"),
                                ("max_blocks", 10, "--max-blocks"), ("max_placements", 20, "--max-placements")):
        with pytest.raises(TooLargeError, match=re.escape(says)) as caught:
            clean_text(text, Config().updated(**{option: value}))
        assert "\n" not in str(caught.value)
    assert clean_text(text, Config(max_blocks=89, max_placements=3 * 60)).articles


def test_the_placement_guard_is_checked_before_titles_are_searched(monkeypatch):
    """A page of thousands of kickers is refused before the work that grows with
    kickers × paragraphs (benchmarks/limits.py times it on 20,000)."""
    page = "\n\n".join(f"{chr(0x4e00 + n % 5000)}{chr(0x4e00 + n // 5000)}县:标题{n}" for n in range(3000))

    def never(*args, **kwargs):
        raise AssertionError("titles searched on a page already too large")

    monkeypatch.setattr("cleaner.articles.find_titles", never)
    with pytest.raises(TooLargeError, match="3,000 articles and 3,000 paragraphs"):
        clean_text(page)


# ---------------------------------------------------------------- command line, in process

@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_files_are_one_error_line(tmp_path, name):
    path = tmp_path / f"{name}.txt"
    path.write_bytes(BINARY[name])
    assert_one_clean_error(invoke("clean", path, ok=(1,)), path.name, "binary")
    assert_one_clean_error(invoke("clean", path, "-o", tmp_path / "out", ok=(1,)), path.name, "binary",
                           tmp_path / "out")
    assert_one_clean_error(invoke("explain", path, ok=(1,)), path.name, "binary")


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_files_without_text_are_one_error_line(tmp_path, name):
    path = tmp_path / f"{name}.txt"
    path.write_bytes(EMPTY[name])
    assert_one_clean_error(invoke("clean", path, ok=(1,)), path.name, "empty")
    assert_one_clean_error(invoke("clean", path, "-o", tmp_path / "out", ok=(1,)), path.name, "empty",
                           tmp_path / "out")


@pytest.mark.parametrize("lang", sorted(MARKERS))
def test_marker_only_files_are_cleaned_to_no_articles(tmp_path, lang):
    path = tmp_path / f"markers_{lang}.txt"
    path.write_text(MARKERS[lang], encoding="utf-8")
    result = invoke("clean", path)
    assert result.stdout == "" and not error_lines(result.stderr)
    out = tmp_path / "out"
    invoke("clean", path, "-o", out, "-q")
    assert files_under(out) == {"manifest.json", "articles.jsonl", f"markers_{lang}/report.json"}
    rep = json.loads((out / f"markers_{lang}" / "report.json").read_text(encoding="utf-8"))
    assert rep["articles"] == [] and rep["counts"] == {"marker": 4}


@pytest.mark.parametrize("option, value", [("--max-bytes", 1000), ("--max-page-bytes", 1000), ("--max-blocks", 10),
                                           ("--max-placements", 20)])
def test_pages_above_a_size_guard_are_one_error_line(tmp_path, option, value):
    out = tmp_path / "out"
    result = invoke("clean", SAMPLE, option, value, "-o", out, ok=(1,))
    assert_one_clean_error(result, SAMPLE.name, option, out)
    assert "above the limit" in error_lines(result.stderr)[0]


def test_size_guards_are_usage_errors_when_not_positive():
    for option in ("--max-page-bytes", "--max-blocks", "--max-placements"):
        result = invoke("clean", SAMPLE, option, "0", ok=(2,))
        assert option in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- command line, a real process

def test_a_real_process_reports_bad_inputs_in_one_line_each(tmp_path):
    for name, data in (("image.txt", BINARY["png"]), ("empty.txt", b""), ("blank.txt", EMPTY["spaces"])):
        (tmp_path / name).write_bytes(data)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "cleaner", "clean", "image.txt", "empty.txt", "blank.txt",
                           "-o", str(out)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    errors = error_lines(done.stderr)
    assert [e.split(":")[2].strip() for e in errors] == ["image.txt", "empty.txt", "blank.txt"], done.stderr
    assert "Traceback" not in done.stderr
    assert files_under(out) <= {"manifest.json", "articles.jsonl"}
    done = subprocess.run([sys.executable, "-m", "cleaner", "explain", "image.txt"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and len(error_lines(done.stderr)) == 1 and "Traceback" not in done.stderr


# ---------------------------------------------------------------- encodings

#: a damaged Traditional Chinese page (our own wording), so that it has a Big5 form: two
#: kicker articles, a paragraph cut at "依法" and continued after a marker, a repeated lede
TRADITIONAL = """鄆城縣:推動黨組織領辦合作社 書寫強村富民新答卷

近年來,山東省菏澤市鄆城縣堅持以黨建引領農村集體經濟發展,推動村黨組織領辦合作社,探索出一條強村富民的新路子。

規範運行管理。縣裡制定合作社章程範本,明確黨組織、合作社和農戶三方的權利義務,確保合作社依法

(下轉第3版)

巨野縣:建好鄉村圖書館 點亮農家讀書燈

本報訊 巨野縣在全縣各鄉鎮建成鄉村圖書館86處,藏書總量超過40萬冊,群眾在家門口就能借書讀書。

圖書館由村黨支部負責日常管理,每週開放不少於五天,並定期舉辦讀書分享會和科普講座。

下一步,巨野縣將繼續完善鄉村閱讀服務體系,讓書香飄進更多農家。

(上接第2版)

依規運行,每年向全體社員公開財務收支情況,接受群眾監督。

資金整合投入,實現示範引領。全縣統籌涉農資金1.2億元,優先支持黨組織領辦的合作社發展特色產業,帶動群眾增收。

近年來,山東省菏澤市鄆城縣堅持以黨建引領農村集體經濟發展,推動村黨組織領辦合作社,探索出一條強村富民的新路子。
"""


def _english_page() -> str:
    """Two corpus articles, damaged: a paragraph cut and continued after a marker, a
    repeated paragraph."""
    first, second = (json.loads(p.read_text(encoding="utf-8")) for p in sorted((CORPUS / "en").glob("*.json"))[:2])
    cut = first["paragraphs"][1]
    at = cut.index(" ", len(cut) // 2)
    blocks = [first["title"], first["paragraphs"][0], cut[:at], "Continued on Page A6",
              second["title"], *second["paragraphs"][:3], "Continued from Page A1", cut[at + 1:],
              first["paragraphs"][2], first["paragraphs"][0]]
    return "\n\n".join(blocks) + "\n"


ENCODINGS = {
    "big5": lambda t: t.encode("big5"),
    "utf-16-bom": lambda t: t.encode("utf-16"),
    "utf-16-le": lambda t: t.encode("utf-16-le"),
    "utf-16-be": lambda t: t.encode("utf-16-be"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_big5_and_utf16_give_the_same_articles_as_utf8(lang, encoding):
    text = TRADITIONAL if lang == "zh" else _english_page()
    want = clean_text(text)
    assert len(want.articles) == 2 and any(len(p.blocks) > 1 for a in want.articles for p in a.paragraphs)
    pages = clean_bytes(ENCODINGS[encoding](text))
    assert len(pages) == 1
    assert pages[0].articles == want.articles
    assert pages[0].lang == lang


def test_a_big5_file_gives_the_same_output_as_its_utf8_file(tmp_path):
    (tmp_path / "page.txt").write_text(TRADITIONAL, encoding="utf-8")
    (tmp_path / "big5").mkdir()
    (tmp_path / "big5" / "page.txt").write_bytes(TRADITIONAL.encode("big5"))
    utf8 = invoke("clean", tmp_path / "page.txt", "-q").stdout.replace(str(tmp_path / "page.txt"), "X")
    big5 = invoke("clean", tmp_path / "big5" / "page.txt", "-q").stdout.replace(str(tmp_path / "big5" / "page.txt"), "X")
    assert utf8 and utf8 == big5


# ---------------------------------------------------------------- regular expressions

#: repeated to 100 KB, then followed by each of SUFFIXES: runs that a backtracking pattern
#: rereads from every position (letters without their hyphen, dots without a space,
#: capitalised words without "County", marker openings without their page number, …)
ATOMS = ["a", "A", "A ", "Ab ", "Ab", "ab-", "a-", "a-\n", "a\n", "1", " ", "\t", "\u3000", ".", "!", "?", "-",
         "'", "’", "“", "”", ",", "\uff0c", "…", "a.", ". ", "A.", ":", "县", "单", "单县", "第", "第 ", "(",
         "(上接", "上接", "接 ", "(接第1", "(上接B6", "版", "。", "月", "1月1日", "省", "市", "新华社", "近年来",
         "Continued ", "Continued on ", "Cont. from ", "See ", "See A", "Page ", "Fortsetzung ", "Suite ", "the ",
         "County ", "Adams ", "ADAMS ", "ADAMS COUNTY", "GETTYSBURG ", "GETTYSBURG, Pa", "<", "<a ", "&", "&#"]
SUFFIXES = ["", "x", "\n", "-", "。", ":"]


def _patterns() -> dict[str, re.Pattern]:
    """Every compiled pattern of the modules that read page text, and each language's."""
    found = {}
    for module in (languages, segment, places, rejoin, normalise, reading, html):
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found[f"{module.__name__.split('.')[-1]}.{name}"] = value
    for code, lang in languages.LANGUAGES.items():
        for field in ("sentence_end", "fragment_end", "marker_from", "marker_to", "kicker", "lede", "item_lead"):
            if getattr(lang, field) is not None:
                found[f"{code}.{field}"] = getattr(lang, field)
    # only ever matched at a given position, never searched: _without_split_words is timed below
    found.pop("segment._LINE_END_SPLIT")
    return found


def _timed(run, text: str) -> float:
    """CPU seconds of ``run(text)`` (process time: other processes on the machine do not count)."""
    start = time.process_time()
    run(text)
    return time.process_time() - start


def _exhaust(pattern: re.Pattern):
    def run(text: str) -> None:
        for _ in pattern.finditer(text):
            pass
        pattern.match(text)
    return run


def _assert_linear(run, keep: int = 8) -> None:
    """Every adversarial string at 10 KB (a quadratic pattern takes seconds there, where at
    100 KB it would take hours), then the ``keep`` slowest of them at 100 KB."""
    strings = [(atom, suffix) for atom in ATOMS for suffix in SUFFIXES]
    small = sorted(((_timed(run, atom * (10_000 // len(atom)) + suffix), atom, suffix) for atom, suffix in strings),
                   reverse=True)
    seconds, atom, suffix = small[0]
    assert seconds < 0.1, f"{seconds:.2f} s on 10 KB of {atom!r} * n + {suffix!r}"
    for _, atom, suffix in small[:keep]:
        seconds = _timed(run, atom * (100_000 // len(atom)) + suffix)
        assert seconds < 0.5, f"{seconds:.2f} s on 100 KB of {atom!r} * n + {suffix!r}"


@pytest.mark.parametrize("name", sorted(_patterns()))
def test_patterns_stay_linear_on_adversarial_100kb_strings(name):
    _assert_linear(_exhaust(_patterns()[name]))


@pytest.mark.parametrize("name, function", [
    ("_without_split_words", segment._without_split_words),
    ("sentences/en", lambda t: languages.sentences(t, languages.EN)),
    ("sentences/zh", lambda t: languages.sentences(t, languages.ZH)),
    ("place_named/zh", lambda t: places.place_named(t, t, languages.ZH)),
    ("place_tokens/zh", lambda t: places.place_tokens(t, languages.ZH)),
    ("place_named/en", lambda t: places.place_named(t, t, languages.EN)),
])
def test_functions_built_on_patterns_stay_linear(name, function):
    _assert_linear(function)


# the patterns as they were before the lookbehinds were added: same matches, quadratic time
_OLD_EN_SENTENCE_END = re.compile(r"(?:[.!?]+[\"'”’)\]]{0,2})(?=\s|$)")
_OLD_HYPHEN_END = re.compile(r"([A-Za-z\u00c0-\u024f]+)[-\u00ad]$")
_OLD_HYPHEN = re.compile(r"([A-Za-z\u00c0-\u024f]+)-$")
_SMALL_TEXT = st.text(alphabet="aZé-\u00ad\n \t.!?\"')]x1", max_size=40)


@settings(max_examples=300)
@given(_SMALL_TEXT)
def test_rewritten_patterns_match_what_they_matched_before(text):
    def spans(pattern):
        return [(m.span(), m.groups()) for m in pattern.finditer(text)]

    assert spans(languages.EN.sentence_end) == spans(_OLD_EN_SENTENCE_END)
    old, new = _OLD_HYPHEN_END.search(text), segment._HYPHEN_END.search(text)
    assert (old and (old.span(), old.group(1))) == (new and (new.span(), new.group(1)))
    old, new = _OLD_HYPHEN.search(text), rejoin._HYPHEN.search(text)
    assert (old and (old.span(), old.group(1))) == (new and (new.span(), new.group(1)))
    assert segment._without_split_words(text) == segment._LINE_END_SPLIT.sub(" ", text)
