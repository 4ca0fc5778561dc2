"""The command line: options → Config, inputs → pages, pages → files or stdout.

The library raises typed errors; this module alone turns them into one-line messages and
exit codes (1: an input failed, 2: a usage error). ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from . import __version__
from .config import Config
from .errors import CleanerError, InputError
from .pipeline import clean_bytes, clean_text
from .reading import read_bytes
from .render import article_record, dumps, report, to_markdown, to_text

EXT = {"text": ".txt", "markdown": ".md", "jsonl": ".jsonl"}


@dataclass(frozen=True)
class Page:
    """One page to clean: where it came from and its raw content."""

    name: str
    data: bytes | None = None
    text: str | None = None


def _iter_inputs(inputs: tuple[str, ...], glob: str, text_field: str, id_field: str) -> Iterator[Page | CleanerError]:
    for item in inputs:
        if item == "-":
            yield Page("stdin", data=sys.stdin.buffer.read())
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob(glob) if p.is_file())
            if not files:
                yield InputError(f"{item}: no files match {glob!r}: use --glob to choose files")
            for f in files:
                yield from _iter_file(f, text_field, id_field)
        else:
            yield from _iter_file(path, text_field, id_field)


def _iter_file(path: Path, text_field: str, id_field: str) -> Iterator[Page | CleanerError]:
    name = str(path)
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        try:
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rt", encoding="utf-8") as handle:
                for number, line in enumerate(handle, 1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as err:
                        yield InputError(f"{name}:{number}: not JSON ({err.msg}): each line must be one JSON object")
                        continue
                    if not isinstance(record, dict) or not isinstance(record.get(text_field), str):
                        yield InputError(f"{name}:{number}: no text field {text_field!r}: choose it with --text-field")
                        continue
                    ident = record.get(id_field, number)
                    yield Page(f"{name}:{ident}", text=record[text_field])
        except (OSError, UnicodeDecodeError, EOFError) as err:
            yield InputError(f"{name}: cannot read JSON Lines ({err}): check the file is UTF-8 JSON Lines")
        return
    try:
        yield Page(name, data=read_bytes(name))
    except CleanerError as err:
        yield err


def safe_name(name: str, used: set[str], limit: int = 80) -> str:
    """A file name from a region or title: no separators, no dots at the start, no
    control characters, bounded length, unique within ``used``.

    >>> safe_name("../../x县:标题", set())
    'x县_标题'
    """
    cleaned = "".join("_" if unicodedata.category(c)[0] == "C" or c in '/\\:*?"<>|' else c for c in name)
    cleaned = re.sub(r"[\s_]+", "_", cleaned).strip("._ ")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    cleaned = cleaned[:limit].rstrip("._ ") or "article"
    if cleaned.upper().split(".")[0] in {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}:
        cleaned = "_" + cleaned
    base, n = cleaned, 1
    while cleaned.casefold() in used:
        n += 1
        cleaned = f"{base}_{n}"
    used.add(cleaned.casefold())
    return cleaned


def _page_stem(source: str) -> str:
    """'dir/page.txt' → 'page'; 'dump.jsonl:42' → 'dump_42'; 'a.txt#2' (second page) → 'a_2'."""
    name = Path(source).name or "page"
    for ext in (".jsonl.gz", ".jsonl", ".ndjson", ".txt"):
        if ext in name:
            stem, _, rest = name.partition(ext)
            return stem + ("_" + rest.lstrip(":#") if rest.strip(":#") else "")
    return name


def write_atomic(path: Path, content: str) -> None:
    """Write via a temporary file in the same folder and rename: never a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _config(lang, threshold, num_perm, shingle, max_bytes) -> Config:
    changes = {"lang": lang, "lsh_threshold": threshold, "num_perm": num_perm, "max_bytes": max_bytes}
    if shingle is not None:
        changes["shingle_cjk"] = shingle
        changes["shingle_words"] = shingle
    return Config().updated(**changes)


def _clean_page(page: Page, config: Config, encoding: str | None):
    if page.text is not None:
        return [clean_text(page.text, config, source=page.name)]
    return clean_bytes(page.data or b"", config, source=page.name, encoding=encoding)


def _fail(err: Exception, debug: bool) -> None:
    if debug:
        raise err
    click.echo(f"cleaner: error: {err}", err=True)


common = [
    click.option("--lang", type=click.Choice(["auto", "zh", "en"]), default="auto", show_default=True,
                 help="Language of the pages; auto decides per page from its script."),
    click.option("--encoding", default=None, help="Force the input encoding (default: detect; e.g. gb18030, big5)."),
    click.option("--threshold", type=click.FloatRange(0.05, 1.0), default=None,
                 help="LSH Jaccard threshold for copy candidates [default: 0.3; low, since candidates are verified exactly]."),
    click.option("--num-perm", type=click.IntRange(16, 1024), default=None,
                 help="MinHash permutations [default: 128; estimate error ≈ 1/sqrt(num_perm)]."),
    click.option("--shingle", type=click.IntRange(1, 12), default=None,
                 help="Shingle size: characters for CJK, words otherwise [default: 5 / 3]."),
    click.option("--max-bytes", type=click.IntRange(1), default=None,
                 help="Refuse inputs larger than this [default: 50000000]."),
    click.option("--glob", default="*.txt", show_default=True, help="Files to take from folders."),
    click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the page text."),
    click.option("--id-field", default="id", show_default=True, help="JSON Lines field holding the page id."),
    click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors."),
]


def with_common(f):
    for option in reversed(common):
        f = option(f)
    return f


@click.group()
@click.version_option(__version__, prog_name="cleaner")
def main() -> None:
    """Turn damaged newspaper page dumps into clean articles, one per region."""


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "jsonl"]), default=None,
              help="Output format [default: jsonl on stdout, text files with -o].")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write one file per article, articles.jsonl and report.json per page.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@with_common
def clean(inputs, fmt, output, quiet, lang, encoding, threshold, num_perm, shingle, max_bytes, glob,
          text_field, id_field, debug) -> None:
    """Clean PAGE files, folders, JSON Lines dumps or - (stdin)."""
    try:
        config = _config(lang, threshold, num_perm, shingle, max_bytes)
    except CleanerError as err:
        raise click.UsageError(str(err)) from None
    fmt = fmt or ("text" if output else "jsonl")
    started = time.monotonic()
    failed, pages, counts = 0, 0, Counter()
    all_records: list[str] = []
    used_dirs: set[str] = set()
    for item in _iter_inputs(inputs, glob, text_field, id_field):
        if isinstance(item, CleanerError):
            failed += 1
            _fail(item, debug)
            continue
        try:
            results = _clean_page(item, config, encoding)
        except CleanerError as err:
            failed += 1
            _fail(InputError(f"{item.name}: {err}"), debug)
            continue
        except Exception as err:  # a bug must not stop the batch
            failed += 1
            if debug:
                raise
            click.echo(f"cleaner: error: {item.name}: internal error ({type(err).__name__}: {err}); "
                       "rerun with --debug and report it", err=True)
            continue
        for result in results:
            pages += 1
            rep = report(result, config)
            counts.update(rep["counts"])
            records = [article_record(a, result, n) for n, a in enumerate(result.articles)]
            counts["articles"] += len(records)
            if output is None:
                out = click.get_text_stream("stdout")
                for n, article in enumerate(result.articles):
                    if fmt == "jsonl":
                        out.write(dumps(records[n]) + "\n")
                    else:
                        out.write((to_markdown(article) if fmt == "markdown" else to_text(article)) + "\n")
                continue
            folder = output / safe_name(_page_stem(result.source), used_dirs)
            names: set[str] = set()
            for n, article in enumerate(result.articles):
                stem = safe_name(f"{n + 1:02d}_{article.region or article.title or 'article'}", names)
                body = dumps(records[n]) + "\n" if fmt == "jsonl" else (
                    to_markdown(article) if fmt == "markdown" else to_text(article))
                write_atomic(folder / (stem + EXT[fmt]), body)
            write_atomic(folder / "report.json", json.dumps(rep, ensure_ascii=False, indent=1) + "\n")
            all_records.extend(dumps(r) for r in records)
    if output is not None:
        write_atomic(output / "articles.jsonl", "".join(r + "\n" for r in all_records))
    if not quiet:
        seconds = time.monotonic() - started
        detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "articles")
        click.echo(f"cleaner: {pages} page(s), {counts['articles']} article(s), blocks: {detail or 'none'}; "
                   f"{failed} failed; {seconds:.2f}s", err=True)
    if failed:
        sys.exit(1)


@main.command()
@click.argument("page")
@click.option("--format", "fmt", type=click.Choice(["summary", "json"]), default="summary", show_default=True,
              help="json: every block with its offsets and fate; summary: per-article counts.")
@with_common
def explain(page, fmt, lang, encoding, threshold, num_perm, shingle, max_bytes, glob, text_field, id_field, debug) -> None:
    """Show what was done to each block of PAGE and why."""
    try:
        config = _config(lang, threshold, num_perm, shingle, max_bytes)
    except CleanerError as err:
        raise click.UsageError(str(err)) from None
    try:
        items = list(_iter_inputs((page,), glob, text_field, id_field))
        errors = [i for i in items if isinstance(i, CleanerError)]
        if errors:
            raise errors[0]
        results = [r for item in items for r in _clean_page(item, config, encoding)]
    except CleanerError as err:
        _fail(err, debug)
        sys.exit(1)
    for result in results:
        rep = report(result, config)
        if fmt == "json":
            click.echo(json.dumps(rep, ensure_ascii=False))
            continue
        click.echo(f"{result.source}: {len(result.blocks)} blocks, {len(result.articles)} articles ({result.lang})")
        for n, art in enumerate(rep["articles"]):
            mine = [b for b in rep["blocks"] if b.get("article_number") == n]
            joined = sum(1 for b in mine if b["fate"] == "joined")
            moved = sum(1 for b in mine if any(x.startswith("moved") for x in b.get("notes", [])))
            click.echo(f"  {art['region'] or '-'}: {art['title'][:40]!r}, {len(art['paragraphs'])} paragraphs "
                       f"from {len(mine)} blocks, {joined} joins, {moved} moved")
        click.echo("  " + ", ".join(f"{k}: {v}" for k, v in sorted(rep["counts"].items())))
