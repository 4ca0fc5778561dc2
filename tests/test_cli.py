"""The command line (``cleaner clean``, ``cleaner explain``) and its batch machinery.

Most cases run in-process with click's CliRunner; a few run real processes
(``python -m cleaner``, the ``cleaner`` console script, SIGINT/SIGTERM then
``--resume``). Expected articles come from the library itself (``clean_bytes``), so
these tests check the plumbing, not the cleaning, and do not move when the
algorithm improves.
"""
from __future__ import annotations

import codecs
import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import __version__, clean_bytes, clean_text
from cleaner.batch import Settings, plan_sources, run_batch, safe_name
from cleaner.cli import main
from cleaner.render import article_record, dumps

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "heze_page.txt"
CORPUS = ROOT / "tests" / "corpus"
PYTHON = sys.executable
SCRIPT = Path(sys.executable).with_name("cleaner")
needs_tomllib = pytest.mark.skipif(sys.version_info < (3, 11), reason="--config reads TOML with tomllib (3.11+)")

#: a Traditional Chinese page (our own wording, after the sample's first article), for Big5
TRADITIONAL = """單縣:創建黨建示範片區 凝聚鄉村振興合力

近年來,山東省菏澤市單縣緊緊圍繞黨建引領鄉村振興這條主線,從基層實際需要出發,按照「大帶小、強帶弱、富帶窮」的思路,堅持務實管用、互惠共贏的原則,重點創建農村黨建示範片區22個。

建實組織體系 推動片區上下貫通

全縣22個鄉鎮分別成立片區融合發展聯合黨委,由鄉鎮黨委書記負責,實現片區與村黨組織各項工作有效銜接。

近年來,山東省菏澤市單縣緊緊圍繞黨建引領鄉村振興這條主線,從基層實際需要出發,按照「大帶小、強帶弱、富帶窮」的思路,堅持務實管用、互惠共贏的原則,重點創建農村黨建示範片區22個。
"""

#: an English page with accented letters only (so that it has a Latin-1 form)
LATIN = """ADAMS COUNTY: Café owners back the façade plan

GETTYSBURG - Owners of the Café Rosé and the Crème Brûlée bakery told the commissioners on Tuesday that the façade grants, worth £2,000 each, would pay for new windows.

The commissioners said the naïve estimate of last year had doubled, and that the programme would open to all shops on the square in the spring.

GETTYSBURG - Owners of the Café Rosé and the Crème Brûlée bakery told the commissioners on Tuesday that the façade grants, worth £2,000 each, would pay for new windows.
"""


# ---------------------------------------------------------------- helpers

def corpus(lang: str) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((CORPUS / lang).glob("*.json"))]


def page_of(*articles: dict) -> str:
    """A page from clean corpus articles: each title and its paragraphs, plus one copy."""
    blocks: list[str] = []
    for article in articles:
        blocks += [article["title"], *article["paragraphs"]]
    blocks.append(articles[0]["paragraphs"][0])
    return "\n\n".join(blocks) + "\n"


def pages(n: int) -> list[str]:
    """n distinct pages, Chinese and English alternating."""
    zh, en = corpus("zh"), corpus("en")
    out = []
    for i in range(n):
        pool = zh if i % 2 == 0 else en
        k = (i // 2) % len(pool)
        out.append(page_of(pool[k], pool[(k + 1 + i // (2 * len(pool))) % len(pool)]))
    return out


def expected_records(data: bytes, source: str) -> list[str]:
    """What `cleaner clean` should print for a file, from the library itself."""
    return [dumps(article_record(a, r, n)) for r in clean_bytes(data, source=source) for n, a in enumerate(r.articles)]


def invoke(*args: str, input: bytes | str | None = None, ok: tuple[int, ...] = (0,)):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    if result.exit_code not in ok:
        raise AssertionError(f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder, by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def same_tree(a: Path, b: Path) -> None:
    """Assert two folders hold the same files with the same bytes, naming the first differences."""
    left, right = tree(a), tree(b)
    differ = sorted(k for k in left.keys() | right.keys() if left.get(k) != right.get(k))
    assert not differ, f"{len(differ)} file(s) differ, e.g. {differ[:5]}"


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("cleaner: error:")]


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """Every input form: a folder (with a subfolder, a hidden file and a non-.txt file),
    a form-feed file, a JSON Lines dump and the same dump gzip-compressed."""
    texts = pages(9)
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    for i, text in enumerate(texts[:4]):
        (src / f"p{i}.txt").write_text(text, encoding="utf-8")
    (src / "sub" / "ff.txt").write_text("\f".join(texts[4:7]), encoding="utf-8")
    (src / "notes.md").write_text(texts[7], encoding="utf-8")
    (src / ".hidden.txt").write_text(texts[8], encoding="utf-8")
    lines = [json.dumps({"id": f"r{i}", "body": t}, ensure_ascii=False) for i, t in enumerate(texts[:3])]
    (tmp_path / "dump.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(tmp_path / "dump.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return tmp_path


# ---------------------------------------------------------------- inputs

def test_file_to_stdout_is_the_library_output_as_json_lines():
    result = invoke("clean", SAMPLE)
    assert result.stdout.splitlines() == expected_records(SAMPLE.read_bytes(), str(SAMPLE))
    assert "1 page(s) cleaned" in result.stderr and "blocks:" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_stdout_text_and_markdown(fmt):
    out = invoke("clean", SAMPLE, "--format", fmt, "-q").stdout
    (result,) = clean_bytes(SAMPLE.read_bytes())
    for article in result.articles:
        assert (f"# {article.title}\n" if fmt == "markdown" else f"{article.title}\n") in out
        assert article.paragraphs[0].text in out
    assert not out.lstrip().startswith("{")


def test_folder_with_glob_is_recursive_sorted_and_skips_hidden(batch):
    out = invoke("clean", batch / "in", "-q").stdout
    sources = list(dict.fromkeys(json.loads(line)["source"] for line in out.splitlines()))
    folder = batch / "in"
    assert sources == [str(folder / f"p{i}.txt") for i in range(4)] + [str(folder / "sub" / f"ff.txt#{i}") for i in (1, 2, 3)]
    md = invoke("clean", folder, "--glob", "*.md", "-q").stdout
    assert {json.loads(line)["source"] for line in md.splitlines()} == {str(folder / "notes.md")}


def test_stdin_dash_reads_a_page():
    data = SAMPLE.read_bytes()
    result = invoke("clean", "-", input=data)
    assert result.stdout.splitlines() == expected_records(data, "stdin")


def test_form_feeds_separate_pages(tmp_path):
    texts = pages(3)
    dump = tmp_path / "ff.txt"
    dump.write_text("\f".join(texts), encoding="utf-8")
    out = invoke("clean", dump, "-q").stdout.splitlines()
    assert out == expected_records(dump.read_bytes(), str(dump))
    assert [json.loads(x)["source"] for x in out][-1] == f"{dump}#3"


def test_jsonl_and_jsonl_gz_give_the_same_articles(batch):
    plain = invoke("clean", batch / "dump.jsonl", "--text-field", "body", "-q").stdout
    packed = invoke("clean", batch / "dump.jsonl.gz", "--text-field", "body", "-q").stdout
    records = [json.loads(x) for x in plain.splitlines()]
    assert {r["source"] for r in records} == {f"{batch / 'dump.jsonl'}:r{i}" for i in range(3)}
    assert packed.replace("dump.jsonl.gz:", "dump.jsonl:") == plain
    first = json.loads((batch / "dump.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert records[0]["paragraphs"] == [p.text for p in clean_text(first["body"]).articles[0].paragraphs]
    # --id-field: a missing field falls back to the line number
    by_line = invoke("clean", batch / "dump.jsonl", "--text-field", "body", "--id-field", "nope", "-q").stdout
    assert json.loads(by_line.splitlines()[0])["source"] == f"{batch / 'dump.jsonl'}:1"


# ---------------------------------------------------------------- outputs

def test_output_folder_layout(batch):
    before = tree(batch / "in")
    out = batch / "out"
    result = invoke("clean", batch / "in", batch / "dump.jsonl", "--text-field", "body", "-o", out)
    assert result.stdout == ""
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == ["dump_r0", "dump_r1", "dump_r2", "ff_1", "ff_2", "ff_3", "p0", "p1", "p2", "p3"]
    for folder in folders:
        files = sorted(p.name for p in (out / folder).iterdir())
        assert files[-1] == "report.json" and all(f.endswith(".txt") for f in files[:-1]) and files[:-1]
        rep = json.loads((out / folder / "report.json").read_text(encoding="utf-8"))
        assert rep["encoding"] == "utf-8" and rep["versions"]["cleaner"] == __version__
        assert len(files) - 1 == len(rep["articles"])
    # articles.jsonl is exactly what stdout would have carried, in input order
    stdout = invoke("clean", batch / "in", batch / "dump.jsonl", "--text-field", "body", "-q").stdout
    assert (out / "articles.jsonl").read_text(encoding="utf-8") == stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["inputs"][0]
    assert entry["input"] == str(batch / "in" / "p0.txt")
    assert entry["sha256"] == hashlib.sha256((batch / "in" / "p0.txt").read_bytes()).hexdigest()
    assert entry["version"] == __version__ and entry["options"]["config"]["num_perm"] == 128
    assert tree(batch / "in") == before  # inputs untouched
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("fmt, ext", [("markdown", ".md"), ("jsonl", ".jsonl")])
def test_output_folder_formats(tmp_path, fmt, ext):
    invoke("clean", SAMPLE, "-o", tmp_path / "out", "--format", fmt, "-q")
    files = sorted((tmp_path / "out" / "heze_page").iterdir())
    assert {p.suffix for p in files} == {ext, ".json"}
    if fmt == "jsonl":
        lines = [p.read_text(encoding="utf-8") for p in files if p.suffix == ".jsonl"]
        assert "".join(lines) == (tmp_path / "out" / "articles.jsonl").read_text(encoding="utf-8")


def test_json_lines_stay_one_record_per_line(tmp_path):
    """Raw U+2028/U+2029/U+0085 and controls in the page or in a JSON Lines id never
    split a record; the output is UTF-8 without a BOM and Chinese stays readable."""
    text = SAMPLE.read_text(encoding="utf-8")
    nasty = text.replace("。", "。\u2028", 3).replace(",", ",\u2029", 3).replace("“", "\u0085“", 2)
    nasty = nasty.replace("单县", "单\x0b县", 1).replace("22个", "22\x1c个", 1)
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"id": "a\u2028b\u0085c\nd", "text": nasty}) + "\n", encoding="utf-8")
    for args in (["clean", dump], ["clean", dump, "-o", tmp_path / "out"]):
        stdout = invoke(*args, "-q").stdout.encode("utf-8")
        raw = stdout or (tmp_path / "out" / "articles.jsonl").read_bytes()
        assert not raw.startswith(codecs.BOM_UTF8)
        decoded = raw.decode("utf-8")
        for bad in ("\u2028", "\u2029", "\u0085", "\x0b", "\x1c"):
            assert bad not in decoded
        lines = decoded.splitlines()  # splits on every separator Python knows
        assert len(lines) == decoded.count("\n") and lines
        records = [json.loads(line) for line in lines]
        assert records[0]["source"] == f"{dump}:a\u2028b\u0085c\nd"
        assert "单县" in decoded  # ensure_ascii is off


def test_manifest_is_json_dumps_with_indent_1(batch):
    # the manifest is assembled from each entry's cached text: it must read as json.dumps wrote it
    out = batch / "out"
    invoke("clean", batch / "in", batch / "dump.jsonl", "--text-field", "body", "-o", out, "-q")
    text = (out / "manifest.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n"


def test_jobs_2_is_byte_identical_to_jobs_1(batch):
    args = [batch / "in", batch / "dump.jsonl", "--text-field", "body", "-q"]
    assert invoke("clean", *args, "-j", "2").stdout == invoke("clean", *args, "-j", "1").stdout
    invoke("clean", *args, "-j", "2", "-o", batch / "o2")
    invoke("clean", *args, "-j", "1", "-o", batch / "o1")
    same_tree(batch / "o2", batch / "o1")


# ---------------------------------------------------------------- --resume

def test_resume_skips_complete_inputs_and_redoes_changed_ones(batch):
    out = batch / "out"
    args = ["clean", batch / "in", "-o", out]
    invoke(*args)
    first = tree(out)
    stamp = (out / "p0" / "report.json").stat().st_mtime_ns
    result = invoke(*args, "--resume")
    assert "0 page(s) cleaned" in result.stderr and "5 input(s) skipped" in result.stderr
    assert tree(out) == first and (out / "p0" / "report.json").stat().st_mtime_ns == stamp

    # an input whose content changed is redone, the others are not
    (batch / "in" / "p1.txt").write_text(pages(12)[11], encoding="utf-8")
    result = invoke(*args, "--resume")
    assert "1 page(s) cleaned" in result.stderr and "4 input(s) skipped" in result.stderr
    invoke("clean", batch / "in", "-o", batch / "fresh", "-q")
    same_tree(out, batch / "fresh")

    # other options: everything is redone; another format leaves no stale files
    result = invoke(*args, "--resume", "--num-perm", "64", "--format", "markdown")
    assert "skipped" not in result.stderr and "7 page(s) cleaned" in result.stderr
    assert not list(out.rglob("*.txt"))
    assert json.loads((out / "p0" / "report.json").read_text(encoding="utf-8"))["options"]["num_perm"] == 64


def test_resume_repairs_damaged_outputs_and_rebuilds_the_index(batch):
    out = batch / "out"
    args = ["clean", batch / "in", batch / "dump.jsonl", "--text-field", "body", "-o", out, "-q"]
    invoke(*args)
    complete = tree(out)
    (out / "articles.jsonl").unlink()
    next((out / "p2").glob("*.txt")).unlink()
    (out / "dump_r1" / "report.json").write_text("{", encoding="utf-8")
    (out / ".cleaner-tmp-leftover").mkdir()
    result = invoke(*args[:-1], "--resume")
    assert "2 page(s) cleaned" in result.stderr
    assert tree(out) == complete


def test_resume_needs_an_output_folder():
    result = invoke("clean", SAMPLE, "--resume", ok=(2,))
    assert "--resume needs -o" in result.stderr


def test_foreign_folders_in_the_output_are_left_alone(tmp_path):
    out = tmp_path / "out"
    (out / "heze_page").mkdir(parents=True)
    (out / "heze_page" / "mine.txt").write_text("user data", encoding="utf-8")
    invoke("clean", SAMPLE, "-o", out, "-q")
    assert (out / "heze_page" / "mine.txt").read_text(encoding="utf-8") == "user data"
    assert (out / "heze_page_2" / "report.json").is_file()


def test_outputs_are_never_read_back_as_inputs(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(SAMPLE.read_bytes())
    invoke("clean", src, "-o", src / "out", "-q")
    result = invoke("clean", src, "-o", src / "out", "-q")  # out/*/0N_*.txt are not inputs
    assert json.loads((src / "out" / "manifest.json").read_text(encoding="utf-8"))["inputs"][0]["input"] == str(src / "a.txt")
    assert len(json.loads((src / "out" / "manifest.json").read_text(encoding="utf-8"))["inputs"]) == 1
    result = invoke("clean", src / "out" / "a" / "report.json", "-o", src / "out", ok=(2,))
    assert "inside the output folder" in result.stderr


def _run_until_interrupted(args: list, out: Path, sig: int, after: int) -> subprocess.CompletedProcess:
    process = subprocess.Popen([PYTHON, "-m", "cleaner", *map(str, args)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if out.is_dir() and sum(1 for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")) >= after:
            break
        time.sleep(0.005)
    process.send_signal(sig)
    stdout, stderr = process.communicate(timeout=30)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize("sig, jobs", [(signal.SIGINT, "1"), (signal.SIGTERM, "2")])
def test_interrupted_run_then_resume_equals_an_uninterrupted_run(tmp_path, sig, jobs):
    src = tmp_path / "in"
    src.mkdir()
    texts = pages(30)
    for i, text in enumerate(texts):
        (src / f"page{i:02d}.txt").write_text(text, encoding="utf-8")
    whole = subprocess.run([PYTHON, "-m", "cleaner", "clean", str(src), "-o", str(tmp_path / "whole"), "-q"],
                           capture_output=True, timeout=60)
    assert whole.returncode == 0, whole.stderr

    out = tmp_path / "out"
    stopped = _run_until_interrupted(["clean", src, "-o", out, "-j", jobs], out, sig, after=5)
    assert stopped.returncode == 128 + sig, stopped.stderr
    assert "rerun the same command with --resume" in stopped.stderr and "Traceback" not in stopped.stderr
    done = [p for p in out.iterdir() if p.is_dir()]
    assert 5 <= len(done) < len(texts)
    # nothing partial: no temporary leftovers, every folder complete, a readable manifest
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    assert not (out / "articles.jsonl").exists()
    for folder in done:
        rep = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        assert len(list(folder.glob("*.txt"))) == len(rep["articles"])
    recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    assert {e["pages"][0]["folder"] for e in recorded} == {p.name for p in done}

    resumed = subprocess.run([str(SCRIPT), "clean", str(src), "-o", str(out), "--resume", "-j", jobs],
                             capture_output=True, text=True, timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(done)} input(s) skipped" in resumed.stderr
    same_tree(out, tmp_path / "whole")


# ---------------------------------------------------------------- failures and usage

def test_bad_inputs_are_reported_in_one_line_and_the_rest_is_cleaned(tmp_path, batch):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    broken = tmp_path / "broken.jsonl"
    good = json.dumps({"text": pages(1)[0]}, ensure_ascii=False)
    broken.write_text(good + "\n{not json\n" + json.dumps({"title": "no text"}) + "\n" + good + "\n", encoding="utf-8")
    result = invoke("clean", tmp_path / "missing.txt", binary, empty, broken, SAMPLE, tmp_path / "nofiles",
                    "-o", tmp_path / "out", ok=(1,))
    errors = error_lines(result.stderr)
    assert len(errors) == 6, result.stderr
    assert "missing.txt: no such file" in errors[0]
    assert "image.txt" in errors[1] and "binary" in errors[1]
    assert "empty.txt" in errors[2] and "empty" in errors[2]
    assert "broken.jsonl:2: not JSON" in errors[3] and "broken.jsonl:3: no text field 'text'" in errors[4]
    assert "nofiles" in errors[5]
    assert "Traceback" not in result.stderr and "6 failed" in result.stderr
    folders = {p.name for p in (tmp_path / "out").iterdir() if p.is_dir()}
    assert folders == {"broken_1", "broken_4", "heze_page"}
    assert len((tmp_path / "out" / "articles.jsonl").read_text(encoding="utf-8").splitlines()) > 3


def test_truncated_gzip_is_one_error(tmp_path):
    data = gzip.compress(("\n".join(json.dumps({"text": t}) for t in pages(3)) + "\n").encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    result = invoke("clean", tmp_path / "cut.jsonl.gz", SAMPLE, "-q", ok=(1,))
    (error,) = error_lines(result.stderr)
    assert "cut.jsonl.gz: cannot read" in error
    assert str(SAMPLE) in result.stdout


def test_internal_errors_are_one_line_unless_debug(monkeypatch, tmp_path):
    def boom(*args, **kwargs):
        raise RuntimeError("planted bug")

    monkeypatch.setattr("cleaner.batch.clean_text", boom)
    dump = tmp_path / "d.jsonl"
    dump.write_text(json.dumps({"text": "x"}) + "\n", encoding="utf-8")
    result = invoke("clean", dump, SAMPLE, ok=(1,))
    assert error_lines(result.stderr) == [
        f"cleaner: error: {dump}:1: internal error (RuntimeError: planted bug); rerun with --debug and report it"]
    assert "Traceback" not in result.stderr and str(SAMPLE) in result.stdout
    assert "Traceback" in invoke("clean", dump, "--debug", ok=(1,)).stderr


@pytest.mark.parametrize("args, says", [
    (["clean"], "Missing argument"),
    (["clean", SAMPLE, "--jobs", "-1"], "--jobs"),
    (["clean", SAMPLE, "--threshold", "5"], "--threshold"),
    (["clean", SAMPLE, "--format", "pdf"], "--format"),
    (["clean", SAMPLE, "--no-such-option"], "No such option"),
    (["clean", SAMPLE, "--config", "/no/such.toml"], "--config"),
    (["clean", SAMPLE, "-o", SAMPLE], "-o"),
    (["clean", SAMPLE, "--encoding", "klingon"], "unknown encoding 'klingon'"),
])
def test_usage_errors_exit_2(args, says):
    result = invoke(*args, ok=(2,))
    assert says in result.stderr and "Traceback" not in result.stderr


@needs_tomllib
def test_config_file_sets_options_and_the_command_line_overrides(tmp_path):
    config = tmp_path / "cleaner.toml"
    config.write_text('num_perm = 64\nlsh_threshold = 0.5\nnear_copy = 1\nshingle_cjk = 4\n', encoding="utf-8")
    invoke("clean", SAMPLE, "--config", config, "-o", tmp_path / "a", "-q")
    options = json.loads((tmp_path / "a" / "heze_page" / "report.json").read_text(encoding="utf-8"))["options"]
    assert (options["num_perm"], options["lsh_threshold"], options["near_copy"], options["shingle_cjk"]) == (64, 0.5, 1.0, 4)
    invoke("clean", SAMPLE, "--config", config, "--num-perm", "32", "--shingle", "3", "-o", tmp_path / "b", "-q")
    options = json.loads((tmp_path / "b" / "heze_page" / "report.json").read_text(encoding="utf-8"))["options"]
    assert (options["num_perm"], options["lsh_threshold"], options["shingle_cjk"], options["shingle_words"]) == (32, 0.5, 3, 3)


@needs_tomllib
@pytest.mark.parametrize("content, says", [
    ("num_perms = 64\n", "unknown key(s) num_perms: known keys are containment"),
    ("num_perm = 'many'\n", "num_perm = 'many' should be a int"),
    ("num_perm = 4\n", "num_perm=4 is out of range"),
    ("lsh_threshold = true\n", "should be a float"),
    ("num_perm = \n", "not valid TOML"),
])
def test_bad_config_files_are_one_line_usage_errors(tmp_path, content, says):
    config = tmp_path / "bad.toml"
    config.write_text(content, encoding="utf-8")
    result = invoke("clean", SAMPLE, "--config", config, ok=(2,))
    assert says in result.stderr and "Traceback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("Error:")]) == 1


def test_help_gives_defaults_and_reasons():
    text = " ".join(invoke("clean", "--help").stdout.split())
    for phrase in ("[default: 0.3]", "verified exactly", "[default: 128]", "1/sqrt(n)", "[default: 5 characters for CJK",
                   "--config", "lsh_threshold = 0.3", "Exit codes", "--resume", "--jobs"):
        assert phrase in text, phrase


@needs_tomllib
def test_explain_takes_the_same_options(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("num_perm = 64\n", encoding="utf-8")
    out = invoke("explain", SAMPLE, "--format", "json", "--config", config).stdout
    (line,) = out.splitlines()
    assert json.loads(line)["options"]["num_perm"] == 64
    assert "blocks" in invoke("explain", SAMPLE).stdout
    assert error_lines(invoke("explain", tmp_path / "none.txt", ok=(1,)).stderr)


# ---------------------------------------------------------------- encodings

def _english() -> str:
    article = corpus("en")[0]
    return page_of(article, corpus("en")[1])


ENCODED = [
    ("zh", "utf-8-sig", "utf-8"), ("zh", "gb18030", "gb18030"), ("zh", "gbk", "gb18030"),
    ("zh", "utf-16", "utf-16"), ("zh", "utf-16-le", "utf-16-le"), ("zh", "utf-16-be", "utf-16-be"),
    ("tw", "big5", "big5hkscs"), ("tw", "utf-16-le", "utf-16-le"),
    ("en", "cp1252", "cp1252"), ("en", "utf-16-le", "utf-16-le"), ("en", "utf-16", "utf-16"),
    ("latin", "latin-1", "cp1252"),
]


def test_encodings_are_detected_and_reported(tmp_path):
    texts = {"zh": SAMPLE.read_text(encoding="utf-8"), "tw": TRADITIONAL, "en": _english(), "latin": LATIN}
    src = tmp_path / "in"
    src.mkdir()
    for n, (name, encoding, _) in enumerate(ENCODED):
        (src / f"{n:02d}_{name}.txt").write_bytes(texts[name].encode(encoding))
    out = tmp_path / "out"
    invoke("clean", src, "-o", out, "-q")
    for n, (name, encoding, reported) in enumerate(ENCODED):
        rep = json.loads((out / f"{n:02d}_{name}" / "report.json").read_text(encoding="utf-8"))
        assert rep["encoding"] == reported, (name, encoding)
        want = [[p.text for p in a.paragraphs] for a in clean_text(texts[name]).articles]
        assert [a["paragraphs"] for a in rep["articles"]] == want, (name, encoding)
    # --encoding forces one; bytes that are not in it are a one-line error
    forced = tmp_path / "forced.txt"
    forced.write_bytes(texts["zh"].encode("gb18030"))
    assert invoke("clean", forced, "--encoding", "gb18030", "-q").stdout == invoke("clean", forced, "-q").stdout
    (error,) = error_lines(invoke("clean", forced, "--encoding", "utf-8", ok=(1,)).stderr)
    assert "not utf-8" in error


# ---------------------------------------------------------------- file names

UNSAFE_IDS = ["../../x县", "/etc/passwd", "..", ".", "a\x00b\x1fc", "CON", "nul.txt", "COM1", "x" * 1000,
              "县" * 1000, "C:\\Windows\\system32", "a\u2028b", " trailing. ", "-rf", "\U0001F600" * 200]


def test_file_names_stay_inside_the_output_folder(tmp_path):
    """Regions, titles and JSON Lines ids become file names: whatever they say, every
    file lands inside -o, with a bounded, visible, non-reserved name."""
    zh_body = SAMPLE.read_text(encoding="utf-8").split("\n\n")[2]
    en_body = corpus("en")[0]["paragraphs"][0]
    heads = ["../../x县:创建党建示范片区", "/etc/passwd县:标题", "CON: Budget adopted", "NUL: Budget adopted",
             "AUX — Budget adopted", "Con.txt Budget", "W" * 100, "..\\..\\Windows Budget"]
    src = tmp_path / "in"
    src.mkdir()
    for n, head in enumerate(heads):
        body = zh_body if "县" in head else en_body
        (src / f"{n}.txt").write_text(f"{head}\n\n{body}\n", encoding="utf-8")
    (src / "CON.txt").write_text(f"{heads[2]}\n\n{en_body}\n", encoding="utf-8")
    dump = tmp_path / "ids.jsonl"
    dump.write_text("".join(json.dumps({"id": i, "text": f"{heads[2]}\n\n{en_body}\n"}) + "\n" for i in UNSAFE_IDS),
                    encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "out"
    invoke("clean", src, dump, "-o", out, "-q")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "out"])
    reserved = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
    written = list(out.rglob("*"))
    assert len([p for p in written if p.parent == out and p.is_dir()]) == len(heads) + 1 + len(UNSAFE_IDS)
    for path in written:
        assert path.resolve().is_relative_to(out.resolve())
        name = path.name
        assert len(name.encode("utf-8")) <= 130 and not name.startswith((".", "-", " "))
        assert name.split(".")[0].upper() not in reserved
        assert all(c.isprintable() and c not in '/\\:*?"<>|' for c in name)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    folders = [p["folder"] for e in manifest["inputs"] for p in e["pages"]]
    assert len({f.casefold() for f in folders}) == len(folders)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.lists(st.text(max_size=20), max_size=5))
def test_safe_name_invariants(name, others):
    used: set[str] = set()
    for other in others:
        safe_name(other, used)
    before = set(used)
    result = safe_name(name, used)
    assert result and result not in (".", "..") and result.casefold() not in before
    assert len(result.encode("utf-8", "surrogatepass")) <= 120
    assert not result.startswith((".", "-", " ")) and not result.endswith((".", " "))
    assert all(c.isprintable() and c not in '/\\:*?"<>|' for c in result)
    assert Path(result).name == result


# ---------------------------------------------------------------- real processes

def test_python_m_cleaner_and_the_console_script_agree():
    by_module = subprocess.run([PYTHON, "-m", "cleaner", "clean", str(SAMPLE)], capture_output=True, timeout=60)
    by_script = subprocess.run([str(SCRIPT), "clean", str(SAMPLE)], capture_output=True, timeout=60)
    assert by_module.returncode == by_script.returncode == 0
    assert by_module.stdout == by_script.stdout
    records = [json.loads(line) for line in by_module.stdout.decode("utf-8").splitlines()]
    assert records and {r["source"] for r in records} == {str(SAMPLE)}
    assert b"[#" not in by_module.stderr  # stderr is not a terminal: no progress bar
    usage = subprocess.run([str(SCRIPT), "clean"], capture_output=True, timeout=60)
    assert usage.returncode == 2 and b"Traceback" not in usage.stderr


def _stderr_on_a_terminal(*args: str) -> str:
    import pty

    leader, follower = pty.openpty()
    try:
        process = subprocess.run([str(SCRIPT), *args], stdout=subprocess.DEVNULL, stderr=follower, timeout=60)
    finally:
        os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal_unless_quiet():
    shown = _stderr_on_a_terminal("clean", str(SAMPLE))
    assert "cleaning" in shown and "100%" in shown and "1 page(s) cleaned" in shown
    assert _stderr_on_a_terminal("clean", str(SAMPLE), "--quiet") == ""


def test_run_batch_is_usable_without_click(tmp_path):
    """The batch layer is plain functions: plan, run, collect."""
    printed: list[str] = []
    errors: list[str] = []
    summary = run_batch(plan_sources([str(SAMPLE), str(tmp_path / "gone.txt")]), Settings(),
                        emit=printed.append, on_error=lambda line, trace: errors.append(line))
    assert (summary.pages, summary.failed, summary.inputs) == (1, 1, 2)
    assert "".join(printed).splitlines() == expected_records(SAMPLE.read_bytes(), str(SAMPLE))
    assert errors == [f"{tmp_path / 'gone.txt'}: no such file: check the path"]
