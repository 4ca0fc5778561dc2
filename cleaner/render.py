"""Articles → text, Markdown or JSON Lines; decisions → a per-block report.

JSON output is UTF-8 with ``ensure_ascii`` off (Chinese stays readable) and never holds a
raw line separator, so every record stays on one line for every reader.
"""

from __future__ import annotations

import json

from . import __version__, fingerprint
from .config import Config
from .types import Article, PageResult

_FATE_ACTIONS = ("kept", "copy", "joined", "marker", "empty", "title")


def dumps(record: dict) -> str:
    """One JSON Lines record: no BOM, no raw U+2028/U+2029/U+0085 inside."""
    text = json.dumps(record, ensure_ascii=False, sort_keys=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\u0085", "\\u0085")


def article_record(article: Article, result: PageResult, number: int) -> dict:
    """The JSON form of one article (``cleaner clean --format jsonl``)."""
    return {
        "region": article.region,
        "title": article.title,
        "paragraphs": [p.text for p in article.paragraphs],
        "kinds": [p.kind for p in article.paragraphs],
        "paragraph_blocks": [list(p.blocks) for p in article.paragraphs],
        "title_blocks": list(article.title_blocks),
        "source": result.source,
        "article": number,
        "lang": article.lang,
    }


def to_text(article: Article) -> str:
    parts = [article.title] if article.title else []
    parts.extend(p.text for p in article.paragraphs)
    return "\n\n".join(parts) + "\n"


def to_markdown(article: Article) -> str:
    parts = [f"# {article.title}"] if article.title else []
    for p in article.paragraphs:
        parts.append(f"## {p.text}" if p.kind == "heading" else p.text)
    return "\n\n".join(parts) + "\n"


def fates(result: PageResult) -> dict[int, dict]:
    """The final fate of every block, from all the stages' decisions."""
    title_blocks = {b for a in result.articles for b in a.title_blocks}
    placed = {}
    for number, a in enumerate(result.articles):
        for pos, p in enumerate(a.paragraphs):
            for b in p.blocks:
                placed[b] = (a.region or a.title, number, pos)
    out: dict[int, dict] = {}
    for block in result.blocks:
        out[block.index] = {"fate": "kept", "reason": ""}
    for d in result.decisions:
        entry = out.setdefault(d.block, {"fate": "kept", "reason": ""})
        if d.action in ("kept", "copy", "marker", "empty"):
            entry.update(fate=d.action, reason=d.detail, stage=d.stage)
            # the evidence of an earlier decision does not explain this one (a joined
            # block that tidy later finds repeated is a copy, not a join)
            for stale in ("copy_of", "joined_with", "score"):
                entry.pop(stale, None)
            if d.action == "copy" and d.other is not None:
                entry["copy_of"] = d.other
            if d.score is not None:
                entry["score"] = d.score
        elif d.action == "joined":
            entry.update(fate="joined", joined_with=d.other, reason=d.detail, stage=d.stage)
            if d.score is not None:
                entry["score"] = d.score
        elif d.action in ("trimmed", "hyphen", "moved"):
            entry.setdefault("notes", []).append(f"{d.action}: {d.detail}")
    # a copy of a block that later became a copy itself (rejoin chose another reading)
    # points at the block that finally carries the text
    for entry in out.values():
        seen = set()
        while entry.get("copy_of") is not None and out.get(entry["copy_of"], {}).get("fate") == "copy" \
                and entry["copy_of"] not in seen:
            seen.add(entry["copy_of"])
            target = out[entry["copy_of"]].get("copy_of")
            if target is None:
                break
            entry["copy_of"] = target
    titled = {b: (a.region or a.title, number) for number, a in enumerate(result.articles) for b in a.title_blocks}
    for b, entry in out.items():
        if b in title_blocks and entry["fate"] in ("kept", "joined"):
            entry["fate"] = "title"
        if b in placed and entry["fate"] in ("kept", "joined", "title"):
            entry["article"], entry["article_number"], entry["position"] = placed[b]
        elif b in titled:
            # a title has no paragraph position; its article number lets a copy of a
            # headline be traced to the article that prints it
            entry["article"], entry["article_number"] = titled[b]
    return out


def report(result: PageResult, config: Config) -> dict:
    """Everything decided about a page, as plain data (``report.json``)."""
    fate = fates(result)
    blocks = []
    for b in result.blocks:
        entry = {"index": b.index, "start": b.start, "end": b.end, "kind": b.kind}
        if b.region:
            entry["region"] = b.region
        entry.update(fate[b.index])
        blocks.append(entry)
    counts: dict[str, int] = {}
    for entry in blocks:
        counts[entry["fate"]] = counts.get(entry["fate"], 0) + 1
    return {
        "source": result.source,
        "lang": result.lang,
        "encoding": result.encoding,
        "repairs": list(result.repairs),
        "blocks": blocks,
        "articles": [article_record(a, result, n) for n, a in enumerate(result.articles)],
        "counts": counts,
        "options": config.as_dict(),
        "versions": {"cleaner": __version__, "minhash": minhash_record(config)},
    }


def minhash_record(config: Config) -> dict:
    """What the copy candidates depended on: the scheme of the signatures ``copies``
    computes (``fingerprint.scheme(fingerprint.HASH)``: datasketch's version, the base
    hash and how it is defined, the seed, the ``affine32`` permutations of datasketch
    2.x), and the LSH bands and rows datasketch chooses for ``lsh_threshold`` and
    ``num_perm``."""
    bands, rows = fingerprint.bands(config.lsh_threshold, config.num_perm)
    record = dict(fingerprint.scheme(fingerprint.HASH))
    record.update(num_perm=config.num_perm, lsh_threshold=config.lsh_threshold, lsh_bands=bands, lsh_rows=rows)
    return record
