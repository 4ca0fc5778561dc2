"""The command line: options → :class:`Config` and :class:`Settings`, then ``batch`` does the work.

The library raises typed errors; this module alone turns them into one-line messages and
exit codes (0: done; 1: an input failed or an output could not be written; 2: a usage
error; 130/143: interrupted by SIGINT/SIGTERM). ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import codecs
import json
import os
import sys
import traceback
from concurrent.futures.process import BrokenProcessPool
from dataclasses import fields
from pathlib import Path

import click

from . import __version__
from .batch import (Settings, clean_results, count_units, iter_units, plan_sources, run_batch, sigterm_interrupts,
                    write_atomic)
from .config import DEFAULT, Config
from .errors import CleanerError, ConfigError
from .html import pages_html
from .render import dumps, report

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None

D = DEFAULT

_FLAGS = {"lang": "--lang", "lsh_threshold": "--threshold", "num_perm": "--num-perm",
          "shingle_cjk": "--shingle (sets both)", "shingle_words": "--shingle (sets both)",
          "containment": "--containment", "near_copy": "--near-copy", "splice": "--splice",
          "max_bytes": "--max-bytes", "max_page_bytes": "--max-page-bytes", "max_blocks": "--max-blocks",
          "max_placements": "--max-placements"}


def _config_example() -> str:
    lines = []
    for f in fields(Config):
        value = json.dumps(getattr(DEFAULT, f.name))
        lines.append(f"    {f.name} = {value}".ljust(30) + (f"# {_FLAGS[f.name]}" if f.name in _FLAGS else ""))
    return "\n".join(lines)


CONFIG_HELP = f"""\b
Options can also come from a TOML file given with --config; its keys are the field names
of cleaner.Config (defaults shown), and options on the command line override it:
{_config_example()}

\b
Exit codes: 0 done; 1 an input failed (the others are still cleaned) or an output could
not be written; 2 a usage error; 130 interrupted (143 on SIGTERM): rerun with --resume.
"""


def load_config_file(path: str) -> dict:
    """The Config fields set in a TOML file, checked: unknown keys and wrong types raise
    :class:`ConfigError` (exit code 2)."""
    if tomllib is None:
        raise ConfigError("--config needs Python 3.11 or later (tomllib): pass the options on the command line")
    try:
        with open(path, "rb") as handle:
            values = tomllib.load(handle)
    except OSError as err:
        raise ConfigError(f"cannot read config file {path}: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"config file {path} is not valid TOML ({err}): see the example in --help") from None
    known = {f.name: type(getattr(DEFAULT, f.name)) for f in fields(Config)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"config file {path}: unknown key(s) {', '.join(unknown)}: "
                          f"known keys are {', '.join(sorted(known))}")
    for key, value in values.items():
        want = known[key]
        if want is bool:
            fits = isinstance(value, bool)
        elif want is float and isinstance(value, int) and not isinstance(value, bool):
            fits, values[key] = True, float(value)
        else:
            fits = isinstance(value, want) and not isinstance(value, bool)
        if not fits:
            raise ConfigError(f"config file {path}: {key} = {value!r} should be a {want.__name__}, "
                              f"like {getattr(DEFAULT, key)!r}")
    return values


def build_config(config_file: str | None, **options) -> Config:
    """Defaults ← config file ← command line (options that are None were not given)."""
    base = Config(**load_config_file(config_file)) if config_file else Config()
    shingle = options.pop("shingle", None)
    if shingle is not None:
        options["shingle_cjk"] = options["shingle_words"] = shingle
    return base.updated(**{k: v for k, v in options.items() if v is not None})


def one_line(message: str) -> str:
    """Messages name inputs, which may hold newlines or controls: keep them on one line."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in message)


def _echo_error(message: str) -> None:
    click.echo(f"cleaner: error: {one_line(message)}", err=True)


common = [
    click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), default=None,
                 help="TOML file with Config fields (see below); command-line options override it."),
    click.option("--lang", type=click.Choice(["auto", "zh", "en"]), default=None,
                 help=f"Language of the pages [default: {D.lang}: decided per page from its script; "
                      "zh = character shingles, en = word shingles and hyphen repair]."),
    click.option("--encoding", default=None,
                 help="Force the input encoding of plain files [default: detect: byte-order mark, UTF-16 "
                      "by its zero bytes, UTF-8, else charset-normalizer; e.g. gb18030, big5, latin-1]."),
    click.option("--threshold", type=click.FloatRange(0.05, 1.0), default=None,
                 help=f"LSH Jaccard threshold for copy candidates [default: {D.lsh_threshold}]: low on "
                      "purpose, as near-copies keep only ~40% of their shingles and every candidate is "
                      "verified exactly afterwards."),
    click.option("--num-perm", type=click.IntRange(16, 1024), default=None,
                 help=f"MinHash permutations [default: {D.num_perm}]: a Jaccard estimate errs by about "
                      f"1/sqrt(n) = {1 / D.num_perm ** 0.5:.2f}, enough because MinHash only finds candidates."),
    click.option("--shingle", type=click.IntRange(1, 12), default=None,
                 help=f"Shingle size for both scripts [default: {D.shingle_cjk} characters for CJK, "
                      f"{D.shingle_words} words otherwise]: specific enough to tell paragraphs apart, "
                      "short enough that a few changed characters leave shared shingles."),
    click.option("--containment", type=click.FloatRange(0.05, 1.0), default=None,
                 help=f"Share of a block's shingles inside another that makes it a cut-down copy "
                      f"[default: {D.containment}]."),
    click.option("--near-copy", type=click.FloatRange(0.05, 1.0), default=None,
                 help=f"Edit similarity at which two blocks of similar length are one block's readings "
                      f"[default: {D.near_copy}]: the sample's near-copy pair scores 0.76, distinct "
                      "paragraphs stay below 0.6."),
    click.option("--splice", type=click.FloatRange(0.05, 1.0), default=None,
                 help=f"Share of a block inside one kept block that, with the rest inside others, makes "
                      f"it a spliced copy [default: {D.splice}]."),
    click.option("--max-bytes", type=click.IntRange(1), default=None,
                 help=f"Refuse larger inputs [default: {D.max_bytes:,}]: a page is rarely above 200 KB, "
                      "and this keeps a stray file from exhausting memory."),
    click.option("--max-page-bytes", type=click.IntRange(1), default=None,
                 help=f"Refuse a single page above this [default: {D.max_page_bytes:,}]: cleaning takes up to "
                      "2.5 s and 120 MB per MB of page, and a page is rarely above 200 KB."),
    click.option("--max-blocks", type=click.IntRange(1), default=None,
                 help=f"Refuse a page of more blocks [default: {D.max_blocks:,}]: a page has a few hundred, "
                      "and 50,000 tiny blocks already take 3-10 s and up to 0.4 GB."),
    click.option("--max-placements", type=click.IntRange(1), default=None,
                 help=f"Refuse a page whose paragraphs x articles exceed this [default: {D.max_placements:,}]: "
                      "every paragraph is weighed against every article, about 3 s per million."),
    click.option("--glob", default="*.txt", show_default=True,
                 help="Files to take from folders (recursive; hidden files skipped)."),
    click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the page text."),
    click.option("--id-field", default="id", show_default=True,
                 help="JSON Lines field holding the page id (the line number when a record has none)."),
    click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors."),
]


def with_common(f):
    for option in reversed(common):
        f = option(f)
    return f


def _settings(fmt, encoding, text_field, id_field, config_file, **config_options) -> Settings:
    try:
        config = build_config(config_file, **config_options)
    except ConfigError as err:
        raise click.UsageError(one_line(str(err))) from None
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise click.BadParameter(f"unknown encoding {encoding!r}: try utf-8, gb18030, big5 or latin-1",
                                     param_hint="--encoding") from None
    return Settings(config=config, fmt=fmt, encoding=encoding, text_field=text_field, id_field=id_field)


@click.group()
@click.version_option(__version__, prog_name="cleaner")
def main() -> None:
    """Turn damaged newspaper page dumps into clean articles, one per region."""


@main.command(epilog=CONFIG_HELP)
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "jsonl"]), default=None,
              help="Output format [default: jsonl on stdout, text files with -o].")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write: per page a folder with one file per article and report.json; "
                   "articles.jsonl (all articles) and manifest.json (for --resume) at the top.")
@click.option("-j", "--jobs", type=click.IntRange(0), default=1, show_default=True,
              help="Processes cleaning pages in parallel (0: one per CPU); the output is the same for any N.")
@click.option("--resume", is_flag=True,
              help="With -o: skip inputs whose outputs are complete for the same content, options and "
                   "version (from manifest.json); redo the rest.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
@with_common
def clean(inputs, fmt, output, jobs, resume, quiet, config_file, lang, encoding, threshold, num_perm, shingle,
          containment, near_copy, splice, max_bytes, max_page_bytes, max_blocks, max_placements, glob, text_field,
          id_field, debug) -> None:
    """Clean INPUTS: page files, folders, JSON Lines dumps (.jsonl, .jsonl.gz) or - (stdin).

    A plain file may hold several pages separated by form feeds; each page is cleaned on
    its own. Without -o, articles go to stdout (JSON Lines by default), so it pipes.
    """
    settings = _settings(fmt or ("text" if output else "jsonl"), encoding, text_field, id_field, config_file,
                         lang=lang, lsh_threshold=threshold, num_perm=num_perm, shingle=shingle,
                         containment=containment, near_copy=near_copy, splice=splice, max_bytes=max_bytes,
                         max_page_bytes=max_page_bytes, max_blocks=max_blocks, max_placements=max_placements)
    if resume and output is None:
        raise click.UsageError("--resume needs -o DIR: it skips inputs whose outputs in DIR are complete")
    if output is not None and output.exists() and not output.is_dir():
        raise click.UsageError(f"-o {output}: not a folder: choose a folder for the outputs")
    try:
        sources = plan_sources(inputs, glob, output)
    except ConfigError as err:
        raise click.UsageError(one_line(str(err))) from None
    jobs = jobs or os.cpu_count() or 1
    stdout = _utf8_stdout()
    show_bar = not quiet and _is_tty(sys.stderr)

    def on_error(line: str, trace: str | None) -> None:
        if show_bar:
            click.echo("\r\x1b[K", nl=False, err=True)  # the message goes where the bar was
        if debug and trace:
            click.echo(trace.rstrip("\n"), err=True)
        _echo_error(line)

    with click.progressbar(length=count_units(sources) if show_bar else 1, label="cleaning", file=sys.stderr,
                           hidden=not show_bar) as bar:
        try:
            with sigterm_interrupts():
                summary = run_batch(sources, settings, jobs=jobs, output=output, resume=resume,
                                    stdin=sys.stdin.buffer, emit=stdout,
                                    on_error=on_error, on_progress=bar.update)
        except BrokenPipeError:  # `cleaner clean … | head`: the reader has gone
            _silence_stdout()
            sys.exit(1)
        except CleanerError as err:
            if debug:
                raise
            _echo_error(str(err))
            sys.exit(1)
        except OSError as err:
            if debug:
                raise
            where = f"{err.filename}: " if err.filename else ""
            _echo_error(f"cannot write the output: {where}{err.strerror or err}: check that -o names a folder "
                        "you can write with room to spare" + (", then rerun with --resume" if output else ""))
            sys.exit(1)
        except BrokenProcessPool:
            if debug:
                raise
            _echo_error("a worker process died (out of memory, or killed): rerun with --resume, "
                        "with fewer --jobs or a lower --max-bytes")
            sys.exit(1)
        except Exception as err:
            if debug:
                raise
            _echo_error(f"internal error ({type(err).__name__}: {err}); rerun with --debug and report it")
            sys.exit(1)
    try:
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(1)
    if not quiet:
        for line in summary.lines():
            click.echo(f"cleaner: {line}", err=True)
    if summary.interrupted is not None:
        click.echo(f"cleaner: interrupted after {summary.inputs} input(s); "
                   + ("rerun the same command with --resume to continue" if output is not None
                      else "stdout holds the articles of those inputs only"), err=True)
        sys.exit(128 + int(summary.interrupted))
    if summary.failed:
        sys.exit(1)


def _utf8_stdout():
    """Outputs are UTF-8 whatever the locale says: write bytes below the text layer."""
    sys.stdout.flush()
    buffer = sys.stdout.buffer
    return lambda text: buffer.write(text.encode("utf-8", "surrogatepass"))


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@main.command(epilog=CONFIG_HELP)
@click.argument("page")
@click.option("--format", "fmt", type=click.Choice(["summary", "json", "html"]), default=None,
              help="summary: per-article counts for a person [default without -o]; json: every block with its "
                   "offsets, fate and evidence, the articles, options and versions (one line per page); "
                   "html: the page beside its articles, self-contained [default with -o, unless it ends in .json].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write to this file (atomically) instead of stdout, e.g. -o report.html.")
@with_common
def explain(page, fmt, output, config_file, lang, encoding, threshold, num_perm, shingle, containment, near_copy,
            splice, max_bytes, max_page_bytes, max_blocks, max_placements, glob, text_field, id_field, debug) -> None:
    """Show what was done to each block of PAGE and why.

    \b
    cleaner explain page.txt                   per-article summary on the terminal
    cleaner explain page.txt --format json     every block: offsets, fate, evidence
    cleaner explain page.txt -o report.html    the page and its articles side by side
    """
    settings = _settings("jsonl", encoding, text_field, id_field, config_file,
                         lang=lang, lsh_threshold=threshold, num_perm=num_perm, shingle=shingle,
                         containment=containment, near_copy=near_copy, splice=splice, max_bytes=max_bytes,
                         max_page_bytes=max_page_bytes, max_blocks=max_blocks, max_placements=max_placements)
    if fmt is None:
        fmt = "summary" if output is None else "json" if output.suffix.lower() == ".json" else "html"
    try:
        results = []
        for unit in iter_units(plan_sources((page,), glob), settings, sys.stdin.buffer):
            if isinstance(unit, CleanerError):
                raise unit
            try:
                results.extend(clean_results(unit, settings))
            except CleanerError as err:
                raise type(err)(f"{unit.name}: {err}") from None
    except CleanerError as err:
        if debug:
            traceback.print_exc()
        _echo_error(str(err))
        sys.exit(1)
    reports = [report(result, settings.config) for result in results]
    if fmt == "json":
        content = "".join(dumps(rep) + "\n" for rep in reports)
    elif fmt == "html":
        content = pages_html([(rep, result.text) for rep, result in zip(reports, results)])
    else:
        content = "".join("\n".join(summary_lines(result, rep)) + "\n" for result, rep in zip(results, reports))
    if output is None:
        try:
            _utf8_stdout()(content)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            _silence_stdout()
            sys.exit(1)
        return
    try:
        write_atomic(output, content)
    except OSError as err:
        if debug:
            raise
        _echo_error(f"cannot write {output}: {err.strerror or err}: choose a file in a folder you can write")
        sys.exit(1)


def summary_lines(result, rep: dict) -> list[str]:
    """What ``cleaner explain PAGE`` prints: per article, its paragraphs and the blocks they
    came from (joins, moves) and the copies dropped in favour of its blocks; then what was
    dropped outside any article and the blocks by fate."""
    blocks = rep["blocks"]
    by_index = {b["index"]: b for b in blocks}
    lines = [f"{result.source or '-'}: {len(blocks)} blocks, {len(rep['articles'])} articles ({result.lang})"]
    copies_in: dict[int | None, int] = {}
    for b in blocks:
        if b["fate"] == "copy":
            number = by_index.get(b.get("copy_of"), {}).get("article_number")
            copies_in[number] = copies_in.get(number, 0) + 1
    for n, art in enumerate(rep["articles"]):
        mine = [b for b in blocks if b.get("article_number") == n and b["fate"] in ("kept", "joined")]
        titles = sum(1 for b in blocks if b.get("article_number") == n and b["fate"] == "title")
        joined = sum(1 for b in mine if b["fate"] == "joined")
        moved = sum(1 for b in mine if any(x.startswith("moved") for x in b.get("notes", [])))
        title = art["title"] if len(art["title"]) <= 40 else art["title"][:39] + "…"
        lines.append(f"  {n + 1}. {art['region'] or '-'}: {title!r}")
        lines.append(f"     {_count(len(art['paragraphs']), 'paragraph')} from {_count(len(mine), 'block')} "
                     f"({joined} joined, {moved} moved), {_count(titles, 'title block')}, "
                     f"{_count(copies_in.get(n, 0), 'copy', 'copies')} dropped")
    if copies_in.get(None):
        lines.append(f"  {_count(copies_in[None], 'copy', 'copies')} of blocks in no article")
    lines.append("  blocks by fate: " + ", ".join(f"{k} {v}" for k, v in sorted(rep["counts"].items())))
    return lines


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


# ---------------------------------------------------------------- cleaner dedup (corpus mode)

@main.command(epilog=CONFIG_HELP)
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write JSON Lines to this file (atomically) instead of stdout, e.g. -o clusters.jsonl.")
@click.option("--emit", type=click.Choice(["clusters", "articles"]), default="clusters", show_default=True,
              help="clusters: one line per cluster of recurring articles or fragments, its members with "
                   "Jaccard and containment to the one kept, and why; articles: this run's articles once "
                   "each, with also_in naming the other readings.")
@click.option("--index", "index_spec", default=None, metavar="PATH|redis://HOST:PORT/DB",
              help="Persistent index: compare with everything stored by earlier runs and store this run "
                   "(a SQLite file, created when missing; or a Redis server shared by several writers).")
@click.option("-j", "--jobs", type=click.IntRange(0), default=1, show_default=True,
              help="Processes cleaning pages in parallel (0: one per CPU); the output is the same for any N.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="local: this process (and --jobs); spark: Apache Spark, the same clusters on a cluster "
                   "(pip install 'cleaner[spark]' and Java 17; reads Parquet too; -o x.parquet writes Parquet).")
@click.option("--master", default=None, metavar="URL",
              help="Spark master for --engine spark, e.g. local[2] or spark://host:7077 [default: the one "
                   "spark-submit sets, else local[*]].")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@with_common
def dedup(inputs, output, emit, index_spec, jobs, engine, master, quiet, config_file, lang, encoding, threshold,
          num_perm, shingle, containment, near_copy, splice, max_bytes, max_page_bytes, max_blocks, max_placements,
          glob, text_field, id_field, debug) -> None:
    """Find articles and fragments that recur across the pages of INPUTS (and, with
    --index, of earlier runs).

    Each page is cleaned as by `cleaner clean`; its articles and paragraphs are compared
    by MinHash/LSH candidates verified exactly (Jaccard, containment) and grouped into
    connected components. The rules are written in cleaner/corpus.py.

    \b
    cleaner dedup pages/ -o clusters.jsonl
    cleaner dedup pages/ --emit articles -o articles.jsonl
    cleaner dedup today/ --index corpus.sqlite -o clusters.jsonl
    cleaner dedup today/ --index redis://127.0.0.1:6379/0 -o clusters.jsonl
    cleaner dedup pages/ dump.parquet --engine spark --master 'local[2]' -o clusters.jsonl
    """
    import time

    from . import corpus
    from .index import open_index

    started = time.perf_counter()
    settings = _settings("jsonl", encoding, text_field, id_field, config_file,
                         lang=lang, lsh_threshold=threshold, num_perm=num_perm, shingle=shingle,
                         containment=containment, near_copy=near_copy, splice=splice, max_bytes=max_bytes,
                         max_page_bytes=max_page_bytes, max_blocks=max_blocks, max_placements=max_placements)
    rules = corpus.Rules.from_config(settings.config)
    try:
        sources = plan_sources(inputs, glob)
    except ConfigError as err:
        raise click.UsageError(one_line(str(err))) from None
    if engine == "spark" and index_spec is not None:
        raise click.UsageError("--index works with the local engine only: drop --index or --engine spark")
    store = None
    failed = pages = 0
    try:
        if index_spec is not None:
            store = open_index(index_spec, rules)
        records: list = []
        articles: dict = {}
        with sigterm_interrupts():
            if engine == "spark":
                from .spark import dedup_inputs

                run, pages, errors, articles = dedup_inputs(inputs, settings, rules, glob, master, emit == "articles")
                for error in errors:
                    _echo_error(error)
                failed = len(errors)
            else:
                for recs, arts, error in corpus.read_records(iter_units(sources, settings, sys.stdin.buffer),
                                                             settings, jobs or os.cpu_count() or 1,
                                                             emit == "articles"):
                    if error is not None:
                        failed += 1
                        _echo_error(error)
                        continue
                    pages += len({(r.source, r.page) for r in recs})
                    records += corpus.renumber(recs, len(records))
                    articles.update(arts)
                run = corpus.dedup(records, rules, store)
    except CleanerError as err:
        if debug:
            raise
        _echo_error(str(err))
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        click.echo("cleaner: interrupted; the index keeps every batch written before", err=True)
        sys.exit(130)
    finally:
        if store is not None:
            store.close()
    if emit == "clusters":
        content = "".join(dumps(c.as_dict()) + "\n" for c in run.clusters)
    else:
        also = corpus.also_in(run.clusters)
        dropped = {m.record.id for c in run.clusters if c.kind == "article" for m in c.members if not m.kept}
        content = "".join(dumps(art | {"also_in": also.get(rid, [])}) + "\n"
                          for rid, art in articles.items() if rid not in dropped)
    try:
        if output is None:
            _utf8_stdout()(content)
            sys.stdout.buffer.flush()
        elif engine == "spark" and output.suffix == ".parquet":
            from .spark import write_parquet

            write_parquet(output, content)
        else:
            write_atomic(output, content)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(1)
    except OSError as err:
        if debug:
            raise
        _echo_error(f"cannot write {output}: {err.strerror or err}: choose a file in a folder you can write")
        sys.exit(1)
    if not quiet:
        kinds = {k: sum(1 for c in run.clusters if c.kind == k) for k in corpus.KINDS}
        click.echo(f"cleaner: {pages} page(s), {run.records} records ({run.eligible} long enough to compare), "
                   f"{kinds['article']} article and {kinds['fragment']} fragment cluster(s), "
                   f"{run.duplicates('article')} duplicate article(s), {run.duplicates('fragment')} duplicate "
                   f"fragment(s)" + (f", {run.stored_before} matched or rerun from the index, "
                                     f"{len(run.created)} stored" if store is not None else "")
                   + f", {time.perf_counter() - started:.1f} s", err=True)
    if failed:
        sys.exit(1)
