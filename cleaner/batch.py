"""Batch runs: arguments → units of work → cleaned pages → stdout or an output folder.

The pieces are plain functions and one class, each testable without a shell; ``cli.py``
only parses options, draws the progress bar and prints messages.

- :func:`plan_sources` turns arguments into the files to read: folders expanded with a
  glob and sorted, duplicates dropped, the output folder never read back.
- :func:`iter_units` reads them into units of work, in order: a plain file (several pages
  when form feeds separate them), one JSON Lines record, or stdin; each with a content
  hash. An input that cannot be read becomes an :class:`InputError` in its place.
- :func:`clean_unit` cleans one unit and renders its pages, ``report.json`` included. With
  ``--jobs`` it runs in worker processes, so it takes and returns plain picklable values,
  and the main process is left only the writing (rendering there took a quarter of the
  work of a run, which kept two workers from running twice as fast as one, issue 7).
- :func:`run_ordered` runs units on one or N processes and yields the outcomes in input
  order, so nothing in the output depends on ``--jobs``.
- :class:`OutputFolder` owns ``-o DIR``: one folder per page, replaced as a whole
  (written aside, then renamed), the ``manifest.json`` that ``--resume`` trusts, and
  ``articles.jsonl`` rebuilt from the page folders at the end of a run.
- :func:`run_batch` puts them together and counts what happened in a :class:`Summary`.

Layout of an output folder::

    DIR/manifest.json           per input: content hash, options, version, its page folders
    DIR/articles.jsonl          every article of every page, in input order (end of run)
    DIR/<page>/01_<region>.txt  one file per article (.md / .jsonl with --format)
    DIR/<page>/report.json      every block's fate, plus the input stamp checked by --resume
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import threading
import time
import traceback
import unicodedata
import uuid
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from . import __version__
from .config import Config
from .errors import CleanerError, ConfigError, InputError
from .pipeline import clean_bytes, clean_text
from .reading import read_bytes
from .render import article_record, dumps, report, to_markdown, to_text
from .types import PageResult

EXT = {"text": ".txt", "markdown": ".md", "jsonl": ".jsonl"}
MANIFEST = "manifest.json"
INDEX = "articles.jsonl"
REPORT = "report.json"
#: leftovers of an interrupted run carry these prefixes; the next run removes them
TMP_PREFIX = ".cleaner-tmp-"
OLD_PREFIX = ".cleaner-old-"
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
#: how often (seconds) the manifest is rewritten during a run; it is always written at
#: the end and on an interruption, so only a hard kill can lose this much work
SAVE_EVERY = 1.0
#: ... or less often, once rewriting it (it lists every input) takes longer than this
#: share of the time between two saves: on a run of many inputs it would otherwise take
#: the main process's whole time
SAVE_SHARE = 0.05


# ---------------------------------------------------------------- settings and units

@dataclass(frozen=True)
class Settings:
    """Everything a run needs besides its inputs; ``options()`` is what ``--resume`` compares."""

    config: Config = field(default_factory=Config)
    fmt: str = "jsonl"
    encoding: str | None = None
    text_field: str = "text"
    id_field: str = "id"

    def options(self) -> dict:
        """The options an output depends on (the inputs' own bytes are hashed apart)."""
        return {"config": self.config.as_dict(), "format": self.fmt, "encoding": self.encoding}


@dataclass(frozen=True)
class Source:
    """A file to read (``path``), or stdin when ``path`` is None."""

    name: str
    path: Path | None = None

    @property
    def jsonl(self) -> bool:
        return self.name.endswith(JSONL_SUFFIXES)


@dataclass(frozen=True)
class Unit:
    """One unit of work: a plain file or stdin (``data``), or a JSON Lines record (``text``).

    ``key`` identifies it in the manifest (the path, ``path:LINE``, or ``-``), ``name`` is
    the source shown in outputs and messages, ``stem`` the base of its folder names.
    """

    key: str
    name: str
    stem: str
    sha256: str
    data: bytes | None = None
    text: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A unit whose outputs are complete (``--resume``)."""

    unit: Unit


@dataclass(frozen=True)
class PageOut:
    """One cleaned page, rendered: what the main process writes."""

    source: str
    #: the text of ``report.json``, input stamp included ("" when not writing a folder)
    report: str
    records: tuple[str, ...]
    bodies: tuple[str, ...]
    labels: tuple[str, ...]
    #: each block's fate, with its reason (``reason_key``) when it was dropped or joined
    fates: tuple[tuple[str, str | None], ...] = ()
    #: the page's folder, already written aside by the worker (see :func:`clean_unit`),
    #: and the names of its files
    staged: str | None = None
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What cleaning a unit gave: its pages, or one error line (and a traceback for --debug)."""

    pages: tuple[PageOut, ...] = ()
    error: str | None = None
    trace: str | None = None


# ---------------------------------------------------------------- planning

def plan_sources(arguments: Iterable[str], glob: str = "*.txt",
                 output: Path | None = None) -> list[Source | InputError]:
    """The files to read, in order: arguments as given, folders expanded and sorted.

    Files inside the output folder are never read (a rerun would clean its own output),
    hidden files and folders are skipped, and a file named twice is read once.
    An explicit input inside the output folder is a usage error (:class:`ConfigError`).
    """
    if not glob or glob.startswith(("/", "\\")) or ".." in Path(glob).parts:
        raise ConfigError(f"--glob {glob!r}: give a pattern relative to the folder, like '*.txt' or 'pages/*.txt'")
    out = output.resolve() if output is not None else None
    seen: set[str] = set()
    plan: list[Source | InputError] = []

    def add(source: Source) -> None:
        key = str(source.path.resolve()) if source.path is not None else "-"
        if key not in seen:
            seen.add(key)
            plan.append(source)

    for argument in arguments:
        if argument == "-":
            add(Source("stdin"))
            continue
        path = Path(argument)
        if out is not None and _inside(path, out):
            raise ConfigError(f"{argument} is inside the output folder {output}: "
                              "choose another -o folder, outputs are never read back as inputs")
        if not path.is_dir():
            add(Source(argument, path))
            continue
        found = []
        try:
            for candidate in path.rglob(glob):
                relative = candidate.relative_to(path).parts
                if any(part.startswith(".") for part in relative) or not candidate.is_file():
                    continue
                if out is not None and _inside(candidate, out):
                    continue
                found.append(candidate)
        except OSError as err:
            plan.append(InputError(f"{argument}: cannot list the folder ({err.strerror or err}): check its permissions"))
            continue
        except (ValueError, NotImplementedError) as err:  # a malformed --glob
            raise ConfigError(f"--glob {glob!r}: {err}: use a pattern like '*.txt'") from None
        if not found:
            plan.append(InputError(f"{argument}: no files match {glob!r}: choose files with --glob, e.g. --glob '*.jsonl'"))
        for candidate in sorted(found):
            add(Source(str(candidate), candidate))
    return plan


def _inside(path: Path, folder: Path) -> bool:
    resolved = path.resolve()
    return resolved == folder or folder in resolved.parents


def count_units(sources: Iterable[Source | InputError]) -> int:
    """How many units :func:`iter_units` will yield (for the progress bar): one per
    file, one per non-blank line of a JSON Lines file."""
    total = 0
    for source in sources:
        if isinstance(source, Source) and source.path is not None and source.jsonl:
            try:
                with _open_jsonl(source) as handle:
                    total += sum(1 for line in handle if line.strip())
            except (OSError, EOFError, zlib.error):
                total += 1
        else:
            total += 1
    return total


def _open_jsonl(source: Source) -> BinaryIO:
    assert source.path is not None
    return gzip.open(source.path, "rb") if source.name.endswith(".gz") else open(source.path, "rb")


def iter_units(sources: Iterable[Source | InputError], settings: Settings,
               stdin: BinaryIO | None = None) -> Iterator[Unit | InputError]:
    """Read the sources into units, in order; unreadable inputs become errors in place."""
    for source in sources:
        if isinstance(source, InputError):
            yield source
        elif source.path is None:
            data = stdin.read() if stdin is not None else b""
            yield Unit("-", "stdin", "stdin", _sha256(data), data=data)
        elif source.jsonl:
            yield from _jsonl_units(source, settings)
        else:
            try:
                data = read_bytes(source.name, settings.config.max_bytes)
            except CleanerError as err:
                yield InputError(str(err))
                continue
            except OSError as err:
                yield InputError(f"{source.name}: cannot read ({err.strerror or err}): check the file")
                continue
            yield Unit(source.name, source.name, _file_stem(source.name), _sha256(data), data=data)


def _jsonl_units(source: Source, settings: Settings) -> Iterator[Unit | InputError]:
    stem = _file_stem(source.name)
    try:
        with _open_jsonl(source) as handle:
            for number, raw in enumerate(handle, 1):
                if number == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
                if not raw.strip():
                    continue
                where = f"{source.name}:{number}"
                if len(raw) > settings.config.max_bytes:
                    yield InputError(f"{where}: record is larger than {settings.config.max_bytes:,} bytes: "
                                     "raise the limit with --max-bytes")
                    continue
                try:
                    record = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError as err:
                    yield InputError(f"{where}: not UTF-8 (byte {err.start}): JSON Lines must be UTF-8")
                    continue
                except json.JSONDecodeError as err:
                    yield InputError(f"{where}: not JSON ({err.msg}): each line must be one JSON object")
                    continue
                text = record.get(settings.text_field) if isinstance(record, dict) else None
                if not isinstance(text, str):
                    yield InputError(f"{where}: no text field {settings.text_field!r}: choose it with --text-field")
                    continue
                ident = record.get(settings.id_field, number)
                ident = ident if isinstance(ident, str) else json.dumps(ident, ensure_ascii=False)
                digest = _sha256(json.dumps([ident, text], ensure_ascii=False).encode("utf-8", "surrogatepass"))
                yield Unit(where, f"{source.name}:{ident}", f"{stem}_{ident}", digest, text=text)
    except (OSError, EOFError, zlib.error) as err:
        yield InputError(f"{source.name}: cannot read ({err}): check that it is a complete JSON Lines file "
                         "(gzip-compressed when it ends in .gz)")


def _file_stem(name: str) -> str:
    """'dir/page.txt' → 'page'; 'dump.jsonl.gz' → 'dump'."""
    base = Path(name).name or "page"
    for suffix in JSONL_SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)]
    return Path(base).stem or base


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- cleaning (worker side)

def clean_results(unit: Unit, settings: Settings) -> list[PageResult]:
    """The cleaned pages of a unit; an empty input is an :class:`InputError`."""
    if unit.text is not None:
        if not unit.text.strip():
            raise InputError("empty page: the text field holds no text")
        return [clean_text(unit.text, settings.config, source=unit.name, encoding="utf-8")]
    results = clean_bytes(unit.data or b"", settings.config, source=unit.name, encoding=settings.encoding)
    if not results:
        raise InputError("empty: no text to clean: check that the file holds a page")
    return results


def clean_unit(unit: Unit, settings: Settings, stamped: bool = False, stage: str | None = None) -> Outcome:
    """Clean and render a unit; errors come back as one line, never raised. ``stamped``:
    render each page's ``report.json`` too, with its input stamp, for an output folder;
    ``stage``: that folder, where each page's folder is then written aside (under a
    temporary name, for :class:`OutputFolder` to rename into place). Creating the files
    in the workers rather than in the main process is what lets ``--jobs`` scale: it was
    most of the main process's work (issue 7)."""
    try:
        results = clean_results(unit, settings)
        pages = tuple(render_page(result, settings, stamp(unit, n, len(results), settings) if stamped else None)
                      for n, result in enumerate(results))
    except CleanerError as err:
        return Outcome(error=f"{unit.name}: {err}")
    except Exception as err:  # a bug must not stop the batch
        return Outcome(error=f"{unit.name}: internal error ({type(err).__name__}: {err}); "
                             "rerun with --debug and report it", trace=traceback.format_exc())
    if stage is not None and stamped:
        pages = _staged(pages, Path(stage), settings.fmt)
    return Outcome(pages=pages)


def _staged(pages: tuple[PageOut, ...], root: Path, fmt: str) -> tuple[PageOut, ...]:
    """The pages with their folders written aside in ``root``; if that fails, the pages
    as they were (the main process then writes them, and reports what stops it)."""
    done: list[Path] = []
    try:
        out = []
        for page in pages:
            files = page_files(page, fmt)
            tmp = _aside(root)
            done.append(tmp)  # named before it exists: removed below if anything fails
            stage_folder(tmp, files)
            out.append(replace(page, staged=str(tmp), files=tuple(files)))
        return tuple(out)
    except Exception:
        for tmp in done:
            shutil.rmtree(tmp, ignore_errors=True)
        return pages


def page_files(page: PageOut, fmt: str) -> dict[str, str]:
    """The files of a page's folder: one per article (named after its region or title),
    and ``report.json``."""
    if not page.report:
        raise ValueError("a page for an output folder is rendered with its input stamp (clean_unit(…, stamped=True))")
    names: set[str] = {REPORT.casefold()}
    files = {}
    for number, (label, body) in enumerate(zip(page.labels, page.bodies), 1):
        files[safe_name(f"{number:02d}_{label or 'article'}", names) + EXT[fmt]] = body
    files[REPORT] = page.report
    return files


def stage_folder(tmp: Path, files: dict[str, str]) -> None:
    """Write a page folder aside, as ``tmp`` (the caller removes it if this fails)."""
    os.mkdir(tmp)
    for file_name, content in files.items():
        with open(tmp / file_name, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)


def render_page(result: PageResult, settings: Settings, input_stamp: dict | None = None) -> PageOut:
    """A page's outputs as text; ``report.json`` only with an ``input_stamp`` (see
    :func:`stamp`), which it carries as its ``input``."""
    records = [article_record(a, result, n) for n, a in enumerate(result.articles)]
    render = {"jsonl": lambda n, a: dumps(records[n]) + "\n",
              "markdown": lambda n, a: to_markdown(a),
              "text": lambda n, a: to_text(a)}[settings.fmt]
    page_report = report(result, settings.config)
    text = ""
    if input_stamp is not None:
        text = json.dumps(dict(page_report, input=input_stamp), ensure_ascii=False, indent=1) + "\n"
    return PageOut(
        source=result.source,
        report=text,
        records=tuple(dumps(r) for r in records),
        bodies=tuple(render(n, a) for n, a in enumerate(result.articles)),
        labels=tuple(a.region or a.title for a in result.articles),
        fates=tuple((b["fate"], reason_key(b.get("reason", "")) if b["fate"] in _COUNTED else None)
                    for b in page_report["blocks"]),
    )


def stamp(unit: Unit, n: int, total: int, settings: Settings) -> dict:
    """What ``report.json`` records of the input of page ``n`` of ``total``: checked by
    ``--resume``."""
    return {"key": unit.key, "sha256": unit.sha256, "page": n + 1, "pages": total,
            "format": settings.fmt, "forced_encoding": settings.encoding}


# ---------------------------------------------------------------- running in order

def run_ordered(items: Iterable[object], settings: Settings, jobs: int = 1, stamped: bool = False,
                stage: str | None = None) -> Iterator[tuple[object, Outcome | None]]:
    """Clean every :class:`Unit` among ``items``; yield ``(item, outcome)`` in input order
    (``stamped``, ``stage``: see :func:`clean_unit`).

    Other items pass through with ``None``. With ``jobs > 1`` units run in a process pool
    with at most ``4 × jobs`` in flight (memory stays bounded on huge dumps); results are
    taken in submission order, so the output is the same for every ``jobs``.
    """
    if jobs <= 1:
        for item in items:
            yield item, clean_unit(item, settings, stamped, stage) if isinstance(item, Unit) else None
        return
    pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_ignore_sigint)
    window: deque[tuple[object, Future | None]] = deque()
    try:
        for item in items:
            window.append((item, pool.submit(clean_unit, item, settings, stamped, stage) if isinstance(item, Unit) else None))
            while len(window) > 4 * jobs or (window and (window[0][1] is None or window[0][1].done())):
                item_, future = window.popleft()
                yield item_, future.result() if future is not None else None
        while window:
            item_, future = window.popleft()
            yield item_, future.result() if future is not None else None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _context():
    """forkserver where there is one (no fork of a threaded parent), spawn elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["cleaner.pipeline"])
        return context
    return multiprocessing.get_context("spawn")


def _ignore_sigint() -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent alone stops the
    # batch, so the workers finish their page quietly instead of printing tracebacks
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Interrupted(KeyboardInterrupt):
    """SIGTERM, turned into the same orderly stop as Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Interrupted` (main thread only)."""
    def handler(signum, frame):
        raise Interrupted(signum)

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back for a few statements that must not be split.

    Their handlers are swapped for one that only notes the signal, and a noted signal is
    raised again once the handlers are back. (Blocking the signals with pthread_sigmask
    does not do it: the mask is per thread, the kernel hands a signal sent to the process
    to any thread that does not block it, such as numpy's BLAS threads or the process
    pool's, and Python then runs the handler in the main thread wherever it has got to.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # Python runs signal handlers in the main thread only: nothing is raised here
        return
    held: list[int] = []
    with ExitStack() as restore:  # every handler goes back, even if one raises meanwhile
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signum)
            if previous is not None:  # None: not installed from Python, left alone
                restore.callback(_set_handler, signum, previous)
                _set_handler(signum, lambda signum, frame: held.append(signum))
        yield
    for signum in dict.fromkeys(held):
        signal.raise_signal(signum)  # to the handler in place again, right now


def _set_handler(signum: int, handler) -> None:
    """``signal.signal``, which first runs the handlers of signals already caught: the
    handler is put in place even when one of those raises."""
    try:
        signal.signal(signum, handler)
    except BaseException:
        signal.signal(signum, handler)
        raise


# ---------------------------------------------------------------- file names

_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
             *(f"COM{i}" for i in "0123456789¹²³"), *(f"LPT{i}" for i in "0123456789¹²³")}


def safe_name(name: str, used: set[str] | None = None, limit: int = 120) -> str:
    """A file name from a region, title or input name: no path separators, no leading
    dots, no control or format characters, no reserved device names, at most ``limit``
    UTF-8 bytes, and unique (case-insensitively) within ``used``, which it updates.

    >>> safe_name("../../x县:标题")
    'x县_标题'
    >>> safe_name("CON"), safe_name("/etc/passwd"), safe_name("a\\x00b"), safe_name("..")
    ('_CON', 'etc_passwd', 'a_b', 'article')
    >>> used = set(); safe_name("单县", used), safe_name("单县", used)
    ('单县', '单县_2')
    """
    cleaned = unicodedata.normalize("NFC", name)
    cleaned = "".join("_" if unicodedata.category(c)[0] == "C" or c in '/\\:*?"<>|' else c for c in cleaned)
    cleaned = re.sub(r"[\s_]+", "_", cleaned)
    cleaned = re.sub(r"\.{2,}", ".", cleaned).strip("._ -")
    cleaned = _clip(cleaned, limit).rstrip("._ ") or "article"
    if cleaned.split(".")[0].upper().rstrip() in _RESERVED:
        cleaned = "_" + _clip(cleaned, limit - 1)
    if used is None:
        return cleaned
    base, n = cleaned, 1
    while cleaned.casefold() in used:
        n += 1
        cleaned = f"{_clip(base, limit - len(str(n)) - 1)}_{n}"
    used.add(cleaned.casefold())
    return cleaned


def _clip(text: str, limit: int) -> str:
    """The longest prefix of ``text`` of at most ``limit`` UTF-8 bytes."""
    while len(text.encode("utf-8", "surrogatepass")) > limit:
        text = text[: max(0, min(len(text) - 1, limit))]
    return text


# ---------------------------------------------------------------- the output folder

def _plain_name(name: object) -> bool:
    """A bare, visible file name: what the manifest may name (it is read, so checked)."""
    return (isinstance(name, str) and bool(name) and not name.startswith(".")
            and "/" not in name and "\\" not in name and "\x00" not in name and name == Path(name).name)


def _valid_entry(entry: object) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("input"), str) and isinstance(entry.get("pages"), list)
            and all(isinstance(p, dict) and _plain_name(p.get("folder")) and isinstance(p.get("files"), list)
                    and all(_plain_name(f) for f in p["files"]) for p in entry["pages"]))


def write_atomic(path: Path, content: str) -> None:
    """Write via a temporary file in the same folder and a rename: never a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _aside(path.parent)
    try:
        with open(tmp, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _aside(folder: Path) -> Path:
    """A new name for a temporary file or folder in ``folder``. The caller creates it
    inside its ``try``, so an interruption cannot leave one it does not know of (with
    tempfile's functions it can, between their creating it and returning its name).
    Created with ``open(…, "x")`` or ``os.mkdir``, it gets the usual permissions."""
    return folder / f"{TMP_PREFIX}{uuid.uuid4().hex}"


class OutputFolder:
    """``-o DIR``: page folders, the manifest, and ``articles.jsonl``.

    The manifest lists, per input (in input order), its content hash, the options and the
    cleaner version it was cleaned with, and its page folders and files. Every
    ``report.json`` also carries an ``input`` stamp (key, hash, page, format). An input
    is complete, and skipped by ``--resume``, when its manifest entry matches the current
    options, version and hash, and each of its folders holds a matching stamp and all its
    files. Folders are written aside and renamed into place, so a folder is either the old
    one or the new one, never a mix; ``articles.jsonl`` is removed before the first folder
    changes and rebuilt from the ``report.json`` files when the run ends, so it never
    disagrees with them.
    """

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root
        self.settings = settings
        self.options = settings.options()
        root.mkdir(parents=True, exist_ok=True)
        self._sweep()
        old = self._read_manifest()
        #: entries made with other options or another version can never be skipped
        self.entries: dict[str, dict] = {
            e["input"]: e for e in old if e.get("options") == self.options and e.get("version") == __version__}
        #: folder names (casefolded) held by an input of the manifest
        self.owner = {p["folder"].casefold(): key for key, e in self.entries.items() for p in e["pages"]}
        #: folders any earlier run recorded: ours to replace even if damaged
        self.recorded = {p["folder"].casefold() for e in old for p in e["pages"]}
        #: names taken in this run
        self.used = {MANIFEST.casefold(), INDEX.casefold()}
        #: keys written or kept in this run, in input order
        self.done: list[str] = []
        self._index_dropped = False
        self._saved_at = 0.0
        self._save_took = 0.0
        #: id of an entry → (the entry, its JSON text as the manifest nests it)
        self._entry_text: dict[int, tuple[dict, str]] = {}
        if len(self.entries) != len(old):
            self.save()

    # -- resume

    def is_complete(self, unit: Unit) -> bool:
        entry = self.entries.get(unit.key)
        if entry is None or entry.get("sha256") != unit.sha256 or not entry["pages"]:
            return False
        total = len(entry["pages"])
        for n, page in enumerate(entry["pages"]):
            folder = self.root / page["folder"]
            if folder.is_symlink() or not folder.is_dir():
                return False
            written = _read_report(folder)
            if (written is None or written.get("input") != stamp(unit, n, total, self.settings)
                    or written.get("options") != self.options["config"]):
                return False
            if not all((folder / name).is_file() for name in page["files"]):
                return False
        return True

    def keep(self, unit: Unit) -> int:
        """Count a complete unit in this run; returns its number of pages."""
        pages = self.entries[unit.key]["pages"]
        self.used.update(p["folder"].casefold() for p in pages)
        self.done.append(unit.key)
        return len(pages)

    # -- writing

    def write(self, unit: Unit, pages: tuple[PageOut, ...]) -> None:
        """Write a cleaned unit's page folders and record it in the manifest.

        Every folder is written aside first; then, with SIGINT/SIGTERM held back, they
        are swapped in and the unit is recorded. An interruption leaves the unit's old
        folders and entry or its new ones, never a folder the manifest does not know.
        """
        own = [p["folder"] for p in self.entries.get(unit.key, {}).get("pages", [])]
        written = []
        staged: list[tuple[Path, str]] = []
        try:
            for n, page in enumerate(pages):
                if n < len(own) and own[n].casefold() not in self.used and self._ours_or_free(own[n]):
                    folder = own[n]
                else:
                    folder = self._claim(unit.stem if len(pages) == 1 else f"{unit.stem}_{n + 1}")
                self.used.add(folder.casefold())
                if page.staged is not None:  # written aside by the worker
                    staged.append((Path(page.staged), folder))
                    names = list(page.files)
                else:
                    files = page_files(page, self.settings.fmt)
                    staged.append((_aside(self.root), folder))  # named before it exists: never left behind
                    self._stage(staged[-1][0], files)
                    names = list(files)
                written.append({"folder": folder, "source": page.source, "files": sorted(names),
                                "articles": len(page.records)})
            self._drop_index()
            with _signals_deferred():
                for tmp, folder in staged:
                    self._swap(tmp, folder)
                for stale in own[len(pages):]:  # the input now has fewer pages than before
                    if stale.casefold() not in self.used and self._ours(self.root / stale):
                        shutil.rmtree(self.root / stale, ignore_errors=True)
                self.entries[unit.key] = {"input": unit.key, "sha256": unit.sha256, "version": __version__,
                                          "options": self.options, "pages": written}
                self.owner.update({w["folder"].casefold(): unit.key for w in written})
                self.done.append(unit.key)
        finally:
            for tmp, _ in staged:  # those not swapped in, if any (the others are gone already)
                shutil.rmtree(tmp, ignore_errors=True)
            for page in pages:  # (a worker's, if this stopped before taking it)
                if page.staged is not None:
                    shutil.rmtree(page.staged, ignore_errors=True)
        self.save(throttle=True)

    def _claim(self, stem: str) -> str:
        """A new folder name for ``stem``: not taken in this run, not held by another
        input of the manifest, and not a file or folder that ``cleaner`` did not write."""
        base = safe_name(stem)
        name, n = base, 1
        while (name.casefold() in self.used or name.casefold() in self.owner
               or not self._ours_or_free(name)):
            n += 1
            name = f"{_clip(base, 120 - len(str(n)) - 1)}_{n}"
        return name

    def _ours_or_free(self, name: str) -> bool:
        path = self.root / name
        return not (path.exists() or path.is_symlink()) or self._ours(path)

    def _ours(self, path: Path) -> bool:
        """A real folder that the manifest records or that holds a report.json written
        by ``cleaner``: safe to replace. Anything else in DIR is the user's."""
        if path.is_symlink() or not path.is_dir():
            return False
        if path.name.casefold() in self.recorded:
            return True
        stamp = _read_report(path)
        return stamp is not None and isinstance(stamp.get("versions"), dict) and "cleaner" in stamp["versions"]

    def _stage(self, tmp: Path, files: dict[str, str]) -> None:
        """Write a page folder aside, as ``tmp`` (the caller removes it if this fails);
        :meth:`_swap` puts it in place."""
        self._drop_index()
        stage_folder(tmp, files)

    def _drop_index(self) -> None:
        """Before the first folder changes: ``articles.jsonl`` is stale until the run ends."""
        if not self._index_dropped:
            (self.root / INDEX).unlink(missing_ok=True)
            self._index_dropped = True

    def _swap(self, tmp: Path, name: str) -> None:
        """Put a staged folder in place of ``name``: readers see the old or the new folder.
        Call it with signals held back (:func:`_signals_deferred`)."""
        target = self.root / name
        if target.exists() or target.is_symlink():
            old = self.root / f"{OLD_PREFIX}{uuid.uuid4().hex}"
            os.rename(target, old)
            os.rename(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, target)

    # -- manifest and index

    def save(self, throttle: bool = False, final: bool = False) -> None:
        if throttle and time.monotonic() - self._saved_at < max(SAVE_EVERY, self._save_took / SAVE_SHARE):
            return
        started = time.monotonic()
        done = set(self.done)
        entries = [self.entries[k] for k in self.done]
        if not final:  # entries not reached yet stay valid for a later --resume
            entries += [e for k, e in self.entries.items() if k not in done]
        write_atomic(self.root / MANIFEST, self._manifest_text(entries))
        self._saved_at = time.monotonic()
        self._save_took = self._saved_at - started

    def _manifest_text(self, entries: list[dict]) -> str:
        """``json.dumps({"cleaner": …, "manifest": 1, "inputs": entries}, indent=1)``, with
        each entry's text kept from one save to the next: encoding every entry again at
        every save (Python's encoder, as ``indent`` needs it) made the manifest most of
        the main process's work on a long run."""
        texts = []
        for entry in entries:
            cached = self._entry_text.get(id(entry))
            if cached is None or cached[0] is not entry:
                # (strings in JSON hold no raw newline: each one starts a line to indent)
                cached = (entry, json.dumps(entry, ensure_ascii=False, indent=1).replace("\n", "\n  "))
                self._entry_text[id(entry)] = cached
            texts.append(cached[1])
        inputs = "[\n  " + ",\n  ".join(texts) + "\n ]" if texts else "[]"
        return f'{{\n "cleaner": {json.dumps(__version__, ensure_ascii=False)},\n "manifest": 1,\n "inputs": {inputs}\n}}\n'

    def finish(self) -> None:
        """End of a run that went through every input: the manifest keeps this run's
        inputs only, and ``articles.jsonl`` is rebuilt from their page folders."""
        self.save(final=True)
        path = self.root / INDEX
        tmp = _aside(self.root)
        try:
            with open(tmp, "x", encoding="utf-8", newline="\n") as handle:
                for key in self.done:
                    for page in self.entries[key]["pages"]:
                        written = _read_report(self.root / page["folder"])
                        if written is None:
                            raise InputError(f"{self.root / page['folder'] / REPORT} vanished during the run: "
                                             "rerun with --resume")
                        for record in written.get("articles", []):
                            handle.write(dumps(record) + "\n")
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _read_manifest(self) -> list[dict]:
        """The previous run's entries; a damaged manifest means nothing is known done."""
        try:
            with open(self.root / MANIFEST, encoding="utf-8") as handle:
                body = json.load(handle)
        except (OSError, ValueError):
            return []
        inputs = body.get("inputs") if isinstance(body, dict) else None
        return [e for e in inputs if _valid_entry(e)] if isinstance(inputs, list) else []

    def _sweep(self) -> None:
        for path in self.root.iterdir():
            if path.name.startswith((TMP_PREFIX, OLD_PREFIX)) and not path.is_symlink():
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def _read_report(folder: Path) -> dict | None:
    try:
        with open(folder / REPORT, encoding="utf-8") as handle:
            body = json.load(handle)
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


# ---------------------------------------------------------------- the whole run

@dataclass
class Summary:
    """What a run did, for the closing lines on stderr."""

    inputs: int = 0
    pages: int = 0
    articles: int = 0
    skipped: int = 0
    failed: int = 0
    fates: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    interrupted: int | None = None

    def add(self, page: PageOut) -> None:
        self.pages += 1
        self.articles += len(page.records)
        for fate, reason in page.fates:
            self.fates[fate] += 1
            if reason is not None:
                self.reasons[(fate, reason)] += 1

    def lines(self) -> list[str]:
        head = (f"{self.inputs} input(s), {self.pages} page(s) cleaned, {self.articles} article(s) "
                f"in {self.seconds:.2f}s")
        if self.skipped:
            head += f"; {self.skipped} input(s) skipped, already complete"
        if self.failed:
            head += f"; {self.failed} failed"
        out = [head]
        if self.fates:
            order = ["kept", "title", "joined", "copy", "marker", "empty"]
            fates = sorted(self.fates, key=lambda f: (order.index(f) if f in order else len(order), f))
            out.append("blocks: " + ", ".join(f"{f} {self.fates[f]}" for f in fates))
        for fate, label in (("copy", "dropped as copies"), ("joined", "joined"),
                            ("marker", "dropped markers"), ("empty", "dropped empty")):
            mine = sorted(((r, n) for (f, r), n in self.reasons.items() if f == fate), key=lambda x: (-x[1], x[0]))
            if mine:
                out.append(f"{label}: " + ", ".join(f"{r or 'other'} {n}" for r, n in mine))
        return out


#: fates whose reasons the summary counts
_COUNTED = ("copy", "joined", "marker", "empty")


def reason_key(reason: str) -> str:
    """The reason of a decision without its particulars, for counting.

    >>> reason_key("continues block 22 (gap 4, junction 2.2, across a marker)")
    'continues block'
    >>> reason_key("near-copy of block 3")
    'near-copy of block'
    """
    return re.split(r"[\d(:,;'\"“]", reason, maxsplit=1)[0].strip()


def run_batch(sources: list[Source | InputError], settings: Settings, *, jobs: int = 1,
              output: Path | None = None, resume: bool = False, stdin: BinaryIO | None = None,
              emit: Callable[[str], None] = lambda text: None,
              on_error: Callable[[str, str | None], None] = lambda line, trace: None,
              on_progress: Callable[[int], None] = lambda n: None) -> Summary:
    """Clean every source; write to ``output`` (a folder) or pass text to ``emit``.

    A failed input is reported through ``on_error`` and counted; the batch goes on. A
    KeyboardInterrupt (Ctrl-C, or SIGTERM inside :func:`sigterm_interrupts`) stops it after
    the pages in progress, with the manifest saved; ``Summary.interrupted`` is then the
    signal number. Other exceptions (an output that cannot be written) propagate, with
    the manifest saved first.
    """
    started = time.monotonic()
    summary = Summary()
    folder = OutputFolder(output, settings) if output is not None else None
    seen: set[str] = set()

    def items() -> Iterator[object]:
        for unit in iter_units(sources, settings, stdin):
            if isinstance(unit, Unit):
                if unit.key in seen:
                    continue
                seen.add(unit.key)
                if folder is not None and resume and folder.is_complete(unit):
                    yield Skipped(unit)
                    continue
            yield unit

    finished = False
    try:
        stage = str(folder.root.resolve()) if folder is not None else None
        with closing(run_ordered(items(), settings, jobs, stamped=folder is not None, stage=stage)) as outcomes:
            for item, outcome in outcomes:
                summary.inputs += 1
                if isinstance(item, InputError):
                    summary.failed += 1
                    on_error(str(item), None)
                elif isinstance(item, Skipped):
                    assert folder is not None
                    folder.keep(item.unit)
                    summary.skipped += 1
                elif outcome is not None and outcome.error is not None:
                    summary.failed += 1
                    on_error(outcome.error, outcome.trace)
                elif outcome is not None:
                    for page in outcome.pages:
                        summary.add(page)
                    if folder is not None:
                        folder.write(item, outcome.pages)
                    else:
                        emit("".join(_stdout_text(page, settings.fmt) for page in outcome.pages))
                on_progress(1)
        finished = True
    except KeyboardInterrupt as err:
        summary.interrupted = getattr(err, "signum", signal.SIGINT)
    finally:
        if folder is not None:
            if finished:
                folder.finish()
            else:
                folder.save()
                # pages the workers wrote aside that were never put in place (the pool has
                # stopped: nothing is being written any more)
                folder._sweep()
        summary.seconds = time.monotonic() - started
    return summary


def _stdout_text(page: PageOut, fmt: str) -> str:
    if fmt == "jsonl":
        return "".join(record + "\n" for record in page.records)
    return "".join(body + "\n" for body in page.bodies)
