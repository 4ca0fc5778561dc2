"""The HTML view (``cleaner explain PAGE -o report.html``) in a real headless browser.

Debian's chromium is driven over the DevTools protocol through a pipe
(``--remote-debugging-pipe``: commands on the browser's fd 3, replies on fd 4, each a JSON
message ended by a NUL byte), so the test needs no Python package and no browser
download: only ``/usr/bin/chromium`` (``apt-get install chromium``; ``.ci/run`` installs it).
Without chromium the tests are skipped, unless ``CLEANER_REQUIRE_BROWSER`` is set (as
``.ci/run`` does once it has installed chromium), when they fail instead.

Each test loads a generated report, checks what the page shows against the JSON report,
clicks and hovers with real mouse events, and saves a screenshot under pytest's tmp dir
and, when ``CLEANER_ARTEFACTS`` names a folder, there too.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_explain import SAMPLE, big_page

from cleaner.cli import main

CHROMIUM = os.environ.get("CLEANER_CHROMIUM") or shutil.which("chromium") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
REQUIRED = bool(os.environ.get("CLEANER_REQUIRE_BROWSER"))

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not REQUIRED,
    reason="chromium is not installed: `apt-get install chromium` to run the browser tests (.ci/run installs it)")

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         "--disable-extensions", "--hide-scrollbars", "--window-size=1400,1000", "--remote-debugging-pipe")

#: sets up fds 3 and 4 for the browser, then becomes it (no shell: dash cannot name fds above 9)
TRAMPOLINE = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
              "os.execv(sys.argv[3], sys.argv[3:])")


class Browser:
    """A headless chromium and one tab, spoken to over the DevTools protocol."""

    def __init__(self, binary: str, profile: Path, log: Path) -> None:
        to_browser, self._out = os.pipe()
        self._in, from_browser = os.pipe()
        # above 9, so that the dup2 onto 3 and 4 never overwrites one of them
        to_browser, from_browser = (self._high(fd) for fd in (to_browser, from_browser))
        self._log = open(log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", TRAMPOLINE, str(to_browser), str(from_browser), binary, *FLAGS,
             f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(to_browser, from_browser), stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT)
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=self.session)

    @staticmethod
    def _high(fd: int) -> int:
        new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(fd)
        return new

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._in], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise EOFError(f"chromium closed the pipe (exit code {self.proc.poll()})")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode("utf-8") + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def page(self, method: str, params: dict | None = None, timeout: float = 30) -> dict:
        return self.call(method, params, self.session, timeout)

    def wait_for(self, event: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for n, seen in enumerate(self.events):
                if seen.get("method") == event:
                    return self.events.pop(n)
            self.events.append(self._read(deadline))

    def open(self, path: Path, timeout: float = 60) -> float:
        """Load a file and wait for its script to have run; returns the seconds taken."""
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        started = time.monotonic()
        self.page("Page.navigate", {"url": path.resolve().as_uri()})
        self.wait_for("Page.loadEventFired", timeout)
        assert self.js("document.documentElement.dataset.ready") == "1", "the page script did not run"
        return time.monotonic() - started

    def js(self, expression: str):
        """The value of a JavaScript expression in the page (a promise is waited for)."""
        result = self.page("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def _centre(self, selector: str) -> tuple[float, float]:
        # scrolled into view, then two frames, so that the mouse hits what is drawn there now
        box = self.js(f"""(async () => {{
            const el = document.querySelector({json.dumps(selector)});
            if (!el) return null;
            el.scrollIntoView({{block: "center"}});
            for (let n = 0; n < 2; n++) await new Promise(done => requestAnimationFrame(done));
            const r = el.getClientRects()[0] || el.getBoundingClientRect();
            return [r.left + Math.min(r.width / 2, 40), r.top + Math.min(r.height / 2, 8)];
        }})()""")
        assert box, f"nothing matches {selector}"
        return box[0], box[1]

    def click(self, selector: str) -> None:
        """A real left click (mouse moved, pressed, released) on an element's first line."""
        x, y = self._centre(selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.page("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left",
                                                   "buttons": 0 if kind == "mouseReleased" else 1, "clickCount": 1})

    def hover(self, selector: str) -> None:
        x, y = self._centre(selector)
        self.page("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})

    def screenshot(self, path: Path) -> Path:
        data = self.page("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        artefacts = os.environ.get("CLEANER_ARTEFACTS")
        if artefacts:
            Path(artefacts).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(artefacts) / path.name)
        return path

    def problems(self) -> list[str]:
        """Script errors, console errors (CSP refusals among them) and requests that left the file."""
        found = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console: {params.get('args')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
            elif method == "Network.requestWillBeSent":
                url = params.get("request", {}).get("url", "")
                if not url.startswith(("file:", "data:", "about:")):
                    found.append(f"request: {url}")
        return found

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=10)
        except (OSError, EOFError, TimeoutError, RuntimeError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._in, self._out):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        pytest.fail("CLEANER_REQUIRE_BROWSER is set but chromium is not installed: apt-get install chromium")
    folder = tmp_path_factory.mktemp("chromium")
    b = Browser(CHROMIUM, folder / "profile", folder / "chromium.log")
    yield b
    b.close()


def explain(*args) -> str:
    result = CliRunner().invoke(main, ["explain", *map(str, args)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


#: checks, in the page, every block of a JSON report: shown, with its fate and its text
CHECK_BLOCKS = """((blocks, text) => {
    const bad = [];
    for (const b of blocks) {
        const el = document.getElementById("p0-b" + b.index);
        if (!el) { bad.push([b.index, "missing"]); continue; }
        const r = el.getBoundingClientRect();
        if (r.height <= 0 || getComputedStyle(el).display === "none") bad.push([b.index, "hidden"]);
        const fate = el.querySelector(".fate");
        if (!fate || fate.textContent !== b.fate) bad.push([b.index, "fate", fate && fate.textContent, b.fate]);
        if (!el.classList.contains("f-" + b.fate)) bad.push([b.index, "class", el.className]);
        if (el.querySelector(".txt").textContent !== text.slice(b.start, b.end)) bad.push([b.index, "text"]);
    }
    return bad;
})"""


def test_sample_report_shows_every_block_with_its_fate_and_a_click_shows_its_decision(browser, tmp_path):
    html = tmp_path / "report.html"
    explain(SAMPLE, "-o", html)
    report = json.loads(explain(SAMPLE, "--format", "json"))
    text = SAMPLE.read_text(encoding="utf-8")
    browser.events.clear()
    browser.open(html)
    assert browser.js(f"{CHECK_BLOCKS}({json.dumps(report['blocks'])}, {json.dumps(text)})") == []
    assert browser.js("document.querySelectorAll('.blk').length") == len(report["blocks"])
    shown = browser.js("[...document.querySelectorAll('.art')].map(a => a.querySelectorAll('.para').length)")
    assert shown == [len(a["paragraphs"]) + 1 for a in report["articles"]]   # the title, then the paragraphs

    # block 20 ("务群众的重要渠道…") continues block 19 and was moved to 鲁西新区
    entry = report["blocks"][20]
    assert entry["fate"] == "joined" and entry["joined_with"] == 19
    browser.click("#p0-b20 .txt")
    panel = browser.js("document.getElementById('panel').innerText")
    for expected in ("joined", entry["reason"], "#19", "鲁西新区", f"paragraph {entry['position'] + 1}", "moved"):
        assert expected in panel, (expected, panel)
    assert browser.js("document.getElementById('p0-b20').classList.contains('sel')")
    assert browser.js("document.getElementById('p0-b19').classList.contains('rel')")
    paragraph = f"p0-a{entry['article_number']}-{entry['position']}"
    assert browser.js(f"document.getElementById('{paragraph}').classList.contains('sel')")
    shot = browser.screenshot(tmp_path / "heze_page_report.png")
    assert shot.stat().st_size > 10_000

    # hovering another block shows its decision; leaving it shows the pinned one again
    browser.hover("#p0-b56 .txt")
    hovered = browser.js("document.getElementById('panel').innerText")
    assert "copy" in hovered and "#21" in hovered, hovered

    # a copy links to the block it repeats: clicking the link jumps there and selects it
    assert report["blocks"][60]["copy_of"] == 20
    browser.click("#p0-b60 a[data-go='p0-b20']")
    assert browser.js("document.getElementById('p0-b20').classList.contains('sel')")
    assert browser.js("""(() => {
        const r = document.getElementById('p0-b20').getBoundingClientRect();
        return r.top >= 0 && r.top < innerHeight; })()""")
    assert "printed again as" in browser.js("document.getElementById('panel').innerText")
    assert browser.problems() == []


def test_hiding_a_fate_hides_its_blocks(browser, tmp_path):
    html = tmp_path / "report.html"
    explain(SAMPLE, "-o", html)
    browser.open(html)
    browser.click("input[data-hide='copy']")
    assert browser.js("[...document.querySelectorAll('.blk.f-copy')].every(b => b.offsetParent === null)")
    assert browser.js("document.getElementById('p0-b20').offsetParent !== null")
    assert browser.js("document.querySelector(\"input[data-hide='copy']\").offsetParent !== null")
    browser.click("input[data-hide='copy']")
    assert browser.js("[...document.querySelectorAll('.blk.f-copy')].every(b => b.offsetParent !== null)")
    # jumping to a hidden copy shows the copies again
    browser.click("input[data-hide='copy']")
    browser.click("#p0-b20 a[data-go='p0-b60']")
    assert browser.js("document.getElementById('p0-b60').offsetParent !== null")
    assert browser.js("document.querySelector(\"input[data-hide='copy']\").checked")


def test_thousand_block_page_loads_quickly_and_stays_usable(browser, tmp_path):
    text, _ = big_page()
    page = tmp_path / "big_page.txt"
    page.write_text(text, encoding="utf-8")
    html = tmp_path / "big_report.html"
    explain(page, "-o", html)
    report = json.loads(explain(page, "--format", "json"))
    assert len(report["blocks"]) >= 1000
    browser.events.clear()
    seconds = browser.open(html)
    assert seconds < 15, f"the 1,000-block report took {seconds:.1f}s to load"
    assert browser.js(f"{CHECK_BLOCKS}({json.dumps(report['blocks'])}, {json.dumps(text)})") == []
    last = report["blocks"][-1]["index"]
    started = time.monotonic()
    browser.click(f"#p0-b{last} .txt")
    assert f"#{last}" in browser.js("document.getElementById('panel').innerText")
    assert time.monotonic() - started < 5
    browser.screenshot(tmp_path / "thousand_block_report.png")
    assert browser.problems() == []


def test_hostile_page_text_is_shown_not_run(browser, tmp_path):
    page = tmp_path / "hostile.txt"
    page.write_text("甲县:标题<script>document.title='pwned'</script>\n\n"
                    "甲县今年\"><img src=x onerror=\"document.title='pwned'\">新修了三条乡村公路,方便群众出行。\n",
                    encoding="utf-8")
    html = tmp_path / "hostile.html"
    explain(page, "-o", html)
    browser.events.clear()
    browser.open(html)
    assert browser.js("document.title") != "pwned"
    assert browser.js("document.querySelectorAll('img').length") == 0
    assert browser.js("document.querySelectorAll('script').length") == 2   # the data and the view's own
    assert "<img src=x" in browser.js("document.getElementById('p0').innerText")
    assert browser.problems() == []
