"""A page's decision report as one self-contained HTML file (``cleaner explain PAGE -o report.html``).

The input page is shown block by block, as printed: each block's background says its
fate (kept, joined, title, copy, marker, empty) and the stripe on its left the article
it went to (a copy's dashed stripe: the article of the block it repeats). A copy links
to the block it repeats, a joined block to the block it continues, and a moved block is
marked. The clean articles stand beside the page, each paragraph linking back to its
blocks. Hovering a block shows its decision and evidence in the panel at the top;
clicking pins it there and outlines the blocks it relates to.

Everything is inline — styles, script and the decision records — and a
Content-Security-Policy allows only that script (by its hash) and those styles, so the
file works offline and nothing printed on a page can load or run anything. All page
text is escaped; the records travel as JSON in a script element that is never executed,
with ``<``, ``>`` and ``&`` escaped.

The work is proportional to the page: a 1,000-block page gives a file of about twice
the page's text plus its records, rendered lazily (``content-visibility``) by the browser.

    >>> from cleaner import clean_text
    >>> from cleaner.config import DEFAULT
    >>> from cleaner.render import report
    >>> result = clean_text("单县:创建示范片区\\n\\n近年来,单县<b>紧紧</b>围绕主线。\\n\\n近年来,单县<b>紧紧</b>围绕主线。")
    >>> page = page_html(report(result, DEFAULT), result.text)
    >>> page.startswith("<!DOCTYPE html>") and "<b>" not in page and "&lt;b&gt;" in page
    True
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Sequence

__all__ = ["page_html", "pages_html", "FATES"]

#: fate → (background colour, what it means), in legend order
FATES = {
    "title": ("#fde7c8", "the title of an article (kicker or headline)"),
    "kept": ("#dcf2dc", "in an article as printed"),
    "joined": ("#d4e8fb", "continues the block it was cut from, in one paragraph"),
    "copy": ("#e6e6e6", "printed again; dropped for the block it repeats"),
    "marker": ("#fbf3b4", "a continuation marker; dropped"),
    "empty": ("#f6f6f6", "no letters; dropped"),
}
_OTHER_FATE = "#ffffff"

#: article stripes (a colour-blind-safe ten), repeated past ten articles
_ARTICLE_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#79706e")

_SURROGATE = re.compile("[\ud800-\udfff\x00]")


def _e(value: object) -> str:
    """Escaped for HTML text and attribute values; stray surrogates and NULs become U+FFFD."""
    return html.escape(_SURROGATE.sub("\ufffd", str(value)), quote=True)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "other"


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _score(value: object) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def page_html(report: dict, text: str) -> str:
    """The HTML view of one page: its report (``cleaner.render.report``) and its text
    (``PageResult.text``, the text the report's offsets point into)."""
    return pages_html([(report, text)])


def pages_html(pages: Sequence[tuple[dict, str]], title: str | None = None) -> str:
    """One HTML document for several pages (a dump split at form feeds): one tab each."""
    if not pages:
        raise ValueError("pages_html needs at least one (report, text) pair")
    sources = [rep.get("source") or "page" for rep, _ in pages]
    title = title or "cleaner explain: " + (sources[0] if len(pages) == 1 else f"{sources[0]} and {len(pages) - 1} more")
    body = [_page(n, rep, text) for n, (rep, text) in enumerate(pages)]
    data = {"pages": [{"blocks": rep.get("blocks", [])} for rep, _ in pages]}   # what the panel shows
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    payload = _SURROGATE.sub("\ufffd", payload)
    fates = sorted({b.get("fate", "") for rep, _ in pages for b in rep.get("blocks", [])} | set(FATES))
    style = _STYLE + _fate_rules(fates)
    csp = (f"default-src 'none'; style-src '{_sha256(style)}'; script-src '{_sha256(_SCRIPT)}'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    tabs = ""
    if len(pages) > 1:
        tabs = '<nav class="tabs">' + "".join(
            f'<button type="button" data-page="{n}"{" class=on" if n == 0 else ""}>{_e(_short(s, 40))}</button>'
            for n, s in enumerate(sources)) + "</nav>"
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"", _e(pages[0][0].get("lang") or "und"), "\">\n<head>\n<meta charset=\"utf-8\">\n",
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n',   # our own text, no '"'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        '<meta name="generator" content="cleaner explain">\n',
        f"<title>{_e(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n",
        f'<header><h1>{_e(title)}</h1>{tabs}',
        '<div id="panel" aria-live="polite"><p class="hint">Hover or click a block to see its decision and '
        "evidence; click a link to jump to the block it names.</p></div></header>\n",
        *body,
        f'<script type="application/json" id="cleaner-data">{payload}</script>\n',
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n",
    ])


def _sha256(source: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


def _fate_rules(fates: Sequence[str]) -> str:
    rules = []
    for fate in fates:
        if not fate:
            continue
        colour = FATES.get(fate, (_OTHER_FATE, ""))[0]
        rules.append(f".f-{_slug(fate)}{{--f:{colour}}}.hide-{_slug(fate)} .blk.f-{_slug(fate)}{{display:none}}")
    rules.extend(f".a{n}{{--a:{c}}}" for n, c in enumerate(_ARTICLE_COLOURS))
    return "\n".join(rules) + "\n"


def _article_class(number: object) -> str:
    return f"a{number % len(_ARTICLE_COLOURS)}" if isinstance(number, int) and number >= 0 else "ax"


def _page(n: int, rep: dict, text: str) -> str:
    blocks = sorted(rep.get("blocks", []), key=lambda b: (b.get("start", 0), b.get("index", 0)))
    by_index = {b.get("index"): b for b in blocks}
    articles = rep.get("articles", [])
    names = [a.get("region") or a.get("title") or f"article {k + 1}" for k, a in enumerate(articles)]
    copies: dict[int, list[int]] = {}
    for b in blocks:
        if b.get("fate") == "copy" and b.get("copy_of") is not None:
            copies.setdefault(b["copy_of"], []).append(b["index"])
    counts: dict[str, int] = {}
    for b in blocks:
        counts[b.get("fate", "")] = counts.get(b.get("fate", ""), 0) + 1

    def bid(i: object) -> str:
        return f"p{n}-b{i}"

    def link(i: object, label: str) -> str:
        return f'<a href="#{bid(i)}" data-go="{bid(i)}">{_e(label)}</a>'

    # the legend: fates (with a switch to hide them) and articles
    fate_items = []
    for fate in [*FATES, *sorted(set(counts) - set(FATES))]:
        if not counts.get(fate):
            continue
        meaning = FATES.get(fate, ("", ""))[1]
        fate_items.append(f'<label class="sw f-{_slug(fate)}" title="{_e(meaning)}"><input type="checkbox" checked '
                          f'data-hide="{_e(_slug(fate))}"> {_e(fate)} <span class="c">{counts[fate]}</span></label>')
    article_items = [f'<a class="sw art-sw {_article_class(k)}" href="#p{n}-a{k}" data-go="p{n}-a{k}">'
                     f'{_e(_short(name, 30))}</a>' for k, name in enumerate(names)]
    options = rep.get("options", {})
    versions = rep.get("versions", {})
    facts = [rep.get("source") or "", rep.get("lang") or "", rep.get("encoding") or "",
             f"{len(blocks)} blocks → {len(articles)} articles"]
    details = "".join(f"<code>{_e(k)}={_e(json.dumps(v, ensure_ascii=False))}</code> " for k, v in options.items())
    details += "".join(f"<code>{_e(k)}={_e(json.dumps(v, ensure_ascii=False))}</code> " for k, v in versions.items())
    if rep.get("repairs"):
        details += "<br>repairs: " + _e("; ".join(map(str, rep["repairs"])))
    legend = (f'<div class="legend"><span class="facts">{_e(" · ".join(f for f in facts if f))}</span> '
              f'<span class="group">fate (untick to hide): {"".join(fate_items)}</span> '
              f'<span class="group">article: {"".join(article_items) or "none"}</span> '
              f'<details><summary>options and versions</summary>{details}</details></div>')

    # the input page, block by block
    out = []
    line, line_at = 1, 0
    pos = 0
    for b in blocks:
        start, end = int(b.get("start", 0)), int(b.get("end", 0))
        if text[pos:start].strip():
            out.append(f'<div class="gap" title="text outside every block">{_e(text[pos:start].strip())}</div>')
        line += text.count("\n", line_at, start)
        line_at = start
        pos = max(pos, end)
        out.append(_block(n, b, text[start:end], line, names, copies, by_index, bid, link))
    if text[pos:].strip():
        out.append(f'<div class="gap" title="text outside every block">{_e(text[pos:].strip())}</div>')

    # the clean articles, each paragraph naming its blocks
    side = []
    for k, a in enumerate(articles):
        kinds = a.get("kinds") or ["body"] * len(a.get("paragraphs", []))
        sources = a.get("paragraph_blocks") or [[] for _ in a.get("paragraphs", [])]
        title_links = " ".join(link(i, f"#{i}") for i in a.get("title_blocks", []))
        parts = [f'<section class="art {_article_class(k)}" id="p{n}-a{k}">',
                 f'<h2 class="para" data-blocks="{_e(" ".join(bid(i) for i in a.get("title_blocks", [])))}">'
                 f'<span class="an">{k + 1}</span> {_e(a.get("title") or "(untitled)")}'
                 f'<span class="src">{title_links}</span></h2>',
                 f'<p class="region">{_e(a.get("region") or "")} · {len(a.get("paragraphs", []))} paragraphs</p>']
        for para_n, (para, kind, src) in enumerate(zip(a.get("paragraphs", []), kinds, sources)):
            tag = "h3" if kind == "heading" else "p"
            joined = " + " if len(src) > 1 else " "
            parts.append(f'<{tag} class="para{" joined" if len(src) > 1 else ""}" id="p{n}-a{k}-{para_n}" '
                         f'data-blocks="{_e(" ".join(bid(i) for i in src))}">{_e(para)}'
                         f'<span class="src">{joined.join(link(i, f"#{i}") for i in src)}</span></{tag}>')
        parts.append("</section>")
        side.append("".join(parts))
    if not articles:
        side.append('<p class="hint">No articles.</p>')

    return "".join([
        f'<main class="page{" on" if n == 0 else ""}" id="p{n}" data-p="{n}">', legend,
        '<div class="cols"><section class="col input" aria-label="input page"><h2 class="colh">Input page</h2>',
        *out, '</section><section class="col articles" aria-label="clean articles"><h2 class="colh">Clean articles</h2>',
        *side, "</section></div></main>\n",
    ])


def _block(n, b, raw, line, names, copies, by_index, bid, link) -> str:
    i = b.get("index")
    fate = b.get("fate", "")
    number = b.get("article_number")
    if fate == "copy" and b.get("copy_of") in by_index:
        number = by_index[b["copy_of"]].get("article_number")
    notes = [str(x) for x in b.get("notes", [])]
    moved = any(x.startswith("moved") for x in notes)
    trimmed = any(x.startswith("trimmed") for x in notes)
    meta = [f'<span class="n">#{_e(i)}</span>', f'<span class="fate">{_e(fate)}</span>',
            f'<span class="kind">{_e(b.get("kind", ""))} · line {line}</span>']
    if b.get("copy_of") is not None:
        meta.append("copy of " + link(b["copy_of"], f"#{b['copy_of']}")
                    + (f' <span class="score">(score {_e(_score(b["score"]))})</span>' if b.get("score") is not None
                       else ""))
    if b.get("joined_with") is not None:
        meta.append("continues " + link(b["joined_with"], f"#{b['joined_with']}"))
    if moved:
        meta.append('<span class="mark moved">moved</span>')
    if trimmed:
        meta.append('<span class="mark trimmed">trimmed</span>')
    if isinstance(b.get("article_number"), int) and fate in ("kept", "joined", "title"):
        k = b["article_number"]
        name = names[k] if 0 <= k < len(names) else str(b.get("article", ""))
        target = f"p{n}-a{k}" + (f"-{b['position']}" if isinstance(b.get("position"), int) else "")
        where = f"¶{b['position'] + 1}" if isinstance(b.get("position"), int) else "title"
        meta.append(f'<a class="to" href="#{target}" data-go="{target}">→ {_e(_short(name, 20))} {where}</a>')
    if copies.get(i):
        meta.append("printed again as " + " ".join(link(c, f"#{c}") for c in copies[i]))
    tip = [f"#{i} {fate}: {b.get('reason', '')}"]
    if b.get("copy_of") is not None:
        tip.append(f"copy of #{b['copy_of']}")
    if b.get("joined_with") is not None:
        tip.append(f"continues #{b['joined_with']}")
    if b.get("score") is not None:
        tip.append(f"score {_score(b['score'])}")
    if b.get("article"):
        tip.append(f"article {b['article']}")
    tip.extend(notes)
    classes = f"blk f-{_slug(fate)} {_article_class(number)}" + (" moved" if moved else "")
    return (f'<div class="{classes}" id="{bid(i)}" data-p="{n}" data-i="{_e(i)}" tabindex="0" '
            f'title="{_e(_short(" — ".join(tip), 400))}"><div class="meta">{" ".join(meta)}</div>'
            f'<div class="txt">{_e(raw)}</div></div>')


_STYLE = """
:root{color-scheme:light;--line:#d0d0d0}
*{box-sizing:border-box}
html,body{height:100%;margin:0}
body{display:flex;flex-direction:column;font:14px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",
"Noto Sans CJK SC","WenQuanYi Micro Hei","PingFang SC","Microsoft YaHei",sans-serif;color:#1d1d1d;background:#fff}
header{flex:none;padding:6px 12px;border-bottom:1px solid var(--line);background:#fafafa}
h1{font-size:15px;margin:0 0 4px;font-weight:600;overflow-wrap:anywhere}
.tabs button{font:inherit;margin:0 4px 4px 0;border:1px solid var(--line);background:#fff;padding:1px 8px;cursor:pointer}
.tabs button.on{background:#1d1d1d;color:#fff}
#panel{height:8.2em;overflow:auto;border:1px solid var(--line);background:#fff;padding:4px 8px}
#panel dl{display:grid;grid-template-columns:max-content minmax(0,1fr) max-content minmax(0,1fr);gap:0 10px;margin:0}
@media (max-width:900px){#panel dl{grid-template-columns:max-content minmax(0,1fr)}}
#panel dt{color:#666}#panel dd{margin:0;overflow-wrap:anywhere}
.hint{color:#666;margin:0}
.page{display:none;flex:1;min-height:0;flex-direction:column}
.page.on{display:flex}
.legend{flex:none;padding:4px 12px;border-bottom:1px solid var(--line);font-size:13px}
.legend .facts{font-weight:600;margin-right:10px}
.legend .group{margin-right:12px;white-space:normal}
.legend details{display:inline}
.legend code{font-size:12px;background:#f2f2f2;padding:0 3px;margin-right:2px}
.sw{display:inline-block;margin:2px 3px;padding:0 6px;border:1px solid var(--line);background:var(--f,#fff);
border-radius:3px;cursor:pointer;color:inherit;text-decoration:none}
.art-sw{border-left:8px solid var(--a);background:#fff}
.sw .c{color:#555}
.cols{flex:1;min-height:0;display:grid;grid-template-columns:minmax(0,1.1fr) minmax(0,1fr)}
.col{overflow:auto;padding:0 12px 40vh;scroll-padding:40px}
.col.input{border-right:1px solid var(--line)}
.colh{position:sticky;top:0;z-index:1;margin:0 -12px 6px;padding:4px 12px;font-size:13px;background:#fff;
border-bottom:1px solid var(--line)}
.blk{margin:6px 0;padding:2px 8px 4px;border-left:7px solid var(--a,#bbb);background:var(--f,#fff);cursor:pointer;
content-visibility:auto;contain-intrinsic-size:auto 5em;border-radius:2px}
.blk.ax{--a:#bbb}
.blk.f-copy,.blk.f-marker,.blk.f-empty{border-left-style:dashed}
.blk.f-copy .txt,.blk.f-marker .txt,.blk.f-empty .txt{color:#555}
.blk.f-title .txt{font-weight:700}
.blk:focus{outline:2px solid #888}
.blk.sel{outline:3px solid #111;outline-offset:1px}
.blk.rel,.para.rel{outline:2px dashed #444;outline-offset:1px}
.meta{font-size:12px;color:#444}
.meta .n{font-weight:700;color:#111}
.meta .fate{font-weight:600;text-transform:uppercase;letter-spacing:.03em}
.meta .kind{color:#777}
.meta a{color:#0b57a4}
.mark{padding:0 4px;border-radius:3px;font-size:11px}
.mark.moved{background:#6a3d9a;color:#fff}
.mark.trimmed{background:#b15928;color:#fff}
.txt{white-space:pre-wrap;overflow-wrap:anywhere}
.gap{margin:6px 0;padding:2px 8px;border:2px solid #c00;white-space:pre-wrap}
.art{border-left:7px solid var(--a);padding:0 0 4px 10px;margin:0 0 16px}
.art h2{font-size:16px;margin:8px 0 0}
.art h3{font-size:14px;margin:8px 0 2px}
.art .an{display:inline-block;min-width:1.6em;text-align:center;background:var(--a);color:#fff;border-radius:3px}
.region{color:#666;font-size:12px;margin:0 0 4px}
.para{margin:4px 0;padding:1px 3px;cursor:pointer;border-radius:2px}
.para.sel{background:#fff7c2}
.para.joined{border-bottom:1px dotted #888}
.src{font-size:11px;margin-left:6px;white-space:nowrap;font-weight:400}
.src a{color:#0b57a4}
@keyframes flash{from{box-shadow:0 0 0 6px #ffb300}to{box-shadow:0 0 0 0 transparent}}
.flash{animation:flash 1.4s ease-out}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("cleaner-data").textContent);
  var records = data.pages.map(function (page) {
    var m = {};
    page.blocks.forEach(function (b) { m[b.index] = b; });
    return m;
  });
  var copies = data.pages.map(function (page) {
    var m = {};
    page.blocks.forEach(function (b) {
      if (b.fate === "copy" && b.copy_of !== undefined && b.copy_of !== null) {
        (m[b.copy_of] = m[b.copy_of] || []).push(b.index);
      }
    });
    return m;
  });
  var panel = document.getElementById("panel");
  var hint = panel.innerHTML;
  var pinned = null;
  var marked = [];

  function record(el) { return records[+el.dataset.p][el.dataset.i]; }
  function blockId(p, i) { return "p" + p + "-b" + i; }

  function link(p, i) {
    var a = document.createElement("a");
    a.href = "#" + blockId(p, i);
    a.dataset.go = blockId(p, i);
    a.textContent = "#" + i;
    return a;
  }

  function show(el) {
    if (!el) { panel.innerHTML = hint; return; }
    var p = +el.dataset.p, b = record(el);
    if (!b) { return; }
    var dl = document.createElement("dl");
    function row(label, value) {
      if (value === undefined || value === null || value === "") { return; }
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = label;
      if (typeof value === "string" || typeof value === "number") { dd.textContent = String(value); }
      else { value.forEach(function (v, k) { if (k) { dd.appendChild(document.createTextNode(" ")); } dd.appendChild(v); }); }
      dl.appendChild(dt); dl.appendChild(dd);
    }
    row("block", "#" + b.index + " · " + b.kind + " · characters " + b.start + "–" + b.end);
    row("fate", b.fate + (b.stage ? " (decided by " + b.stage + ")" : ""));
    row("reason", b.reason);
    if (b.copy_of !== undefined && b.copy_of !== null) { row("copy of", [link(p, b.copy_of)]); }
    if (b.joined_with !== undefined && b.joined_with !== null) { row("continues", [link(p, b.joined_with)]); }
    if (b.score !== undefined && b.score !== null) { row("score", b.score); }
    if (b.article) {
      row("article", b.article + (typeof b.position === "number" ? ", paragraph " + (b.position + 1)
                                                                 : (b.fate === "title" ? ", title" : "")));
    }
    if (b.notes && b.notes.length) { row("notes", b.notes.join(" · ")); }
    var again = copies[p][b.index];
    if (again) { row("printed again as", again.map(function (i) { return link(p, i); })); }
    panel.textContent = "";
    panel.appendChild(dl);
  }

  function unmark() {
    marked.forEach(function (el) { el.classList.remove("sel", "rel"); });
    marked = [];
  }
  function mark(el, cls) { if (el) { el.classList.add(cls); marked.push(el); } }

  function select(el) {
    unmark();
    pinned = el;
    var p = +el.dataset.p, b = record(el);
    mark(el, "sel");
    if (b) {
      [b.copy_of, b.joined_with].concat(copies[p][b.index] || []).forEach(function (i) {
        if (i !== undefined && i !== null) { mark(document.getElementById(blockId(p, i)), "rel"); }
      });
      if (typeof b.article_number === "number") {
        // its paragraph (or its article, for a title) is shown beside it
        var where = document.getElementById("p" + p + "-a" + b.article_number +
                                            (typeof b.position === "number" ? "-" + b.position : ""));
        if (where) {
          if (where.classList.contains("para")) { mark(where, "sel"); }
          where.scrollIntoView({block: "center"});
        }
      }
    }
    show(el);
  }

  function selectParagraph(para) {
    unmark();
    mark(para, "sel");
    var ids = (para.dataset.blocks || "").split(" ").filter(Boolean);
    ids.forEach(function (id) { mark(document.getElementById(id), "rel"); });
    var first = ids.length ? document.getElementById(ids[0]) : null;
    if (first) { reveal(first); first.scrollIntoView({block: "center"}); flash(first); pinned = first; show(first); }
  }

  function reveal(el) {
    // a block hidden by a fate switch is shown again before jumping to it
    var m = /(?:^| )f-([a-z0-9-]+)/.exec(el.className);
    if (m && document.body.classList.contains("hide-" + m[1])) {
      document.body.classList.remove("hide-" + m[1]);
      document.querySelectorAll('input[data-hide="' + m[1] + '"]').forEach(function (box) { box.checked = true; });
    }
    var page = el.closest(".page");
    if (page && !page.classList.contains("on")) { switchPage(+page.dataset.p); }
  }

  function flash(el) { el.classList.remove("flash"); void el.offsetWidth; el.classList.add("flash"); }

  function go(id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    reveal(el);
    el.scrollIntoView({block: "center"});
    flash(el);
    if (el.classList.contains("blk")) { select(el); }
    else if (el.classList.contains("para")) { selectParagraph(el); el.scrollIntoView({block: "center"}); }
  }

  function switchPage(n) {
    document.querySelectorAll(".page").forEach(function (pg) { pg.classList.toggle("on", +pg.dataset.p === n); });
    document.querySelectorAll(".tabs button").forEach(function (t) { t.classList.toggle("on", +t.dataset.page === n); });
    unmark(); pinned = null; show(null);
  }

  document.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-go]");
    if (a) { e.preventDefault(); go(a.dataset.go); return; }
    var tab = e.target.closest(".tabs button");
    if (tab) { switchPage(+tab.dataset.page); return; }
    if (e.target.closest("input, label")) { return; }
    var blk = e.target.closest(".blk");
    if (blk) { select(blk); return; }
    var para = e.target.closest(".para");
    if (para) { selectParagraph(para); }
  });
  document.addEventListener("change", function (e) {
    var box = e.target;
    if (box.dataset && box.dataset.hide) {
      document.body.classList.toggle("hide-" + box.dataset.hide, !box.checked);
      document.querySelectorAll('input[data-hide="' + box.dataset.hide + '"]').forEach(function (b) {
        b.checked = box.checked;
      });
    }
  });
  document.addEventListener("mouseover", function (e) {
    var blk = e.target.closest(".blk");
    if (blk) { show(blk); }
  });
  document.addEventListener("mouseout", function (e) {
    var from = e.target.closest(".blk");
    if (from && !(e.relatedTarget && from.contains(e.relatedTarget))) { show(pinned); }
  });
  document.addEventListener("keydown", function (e) {
    if ((e.key === "Enter" || e.key === " ") && e.target.classList && e.target.classList.contains("blk")) {
      e.preventDefault();
      select(e.target);
    }
  });
  document.documentElement.dataset.ready = "1";
})();
"""
